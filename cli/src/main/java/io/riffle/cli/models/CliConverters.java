package io.riffle.cli.models;

import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Case-insensitive converters, independent of how the root command configures picocli. */
final class CliConverters {

    private CliConverters() {}

    static final class Task implements ITypeConverter<ModelTask> {
        @Override
        public ModelTask convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "binary" -> ModelTask.BINARY;
                case "anomaly" -> ModelTask.ANOMALY;
                case "multiclass" -> ModelTask.MULTICLASS;
                default -> throw new TypeConversionException("unknown task '" + value
                        + "'; use binary, anomaly or multiclass");
            };
        }
    }

    static final class Role implements ITypeConverter<ModelRole> {
        @Override
        public ModelRole convert(String value) {
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "champion" -> ModelRole.CHAMPION;
                case "shadow" -> ModelRole.SHADOW;
                case "challenger" -> ModelRole.CHALLENGER;
                default -> throw new TypeConversionException(
                        "unknown role '" + value + "'; use champion, shadow or challenger");
            };
        }
    }
}

package io.riffle.cli;

import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.TrainerSpec;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Locale;
import java.util.Map;

/**
 * Command-line defaults taken from the pipeline file's records, so a flag and the file key it
 * mirrors cannot drift apart: thresholds and on-worse from {@link ModelSpec}, window, schedule and
 * gate margin from {@link TrainerSpec#defaults()}, the broker from {@link KafkaSpec}. Options not
 * listed keep their own {@code defaultValue}.
 */
public final class SpecDefaults implements IDefaultValueProvider {
    private static final Map<String, String> BY_OPTION;

    static {
        TrainerSpec trainer = TrainerSpec.defaults();
        BY_OPTION = Map.of(
                "--bootstrap-servers", KafkaSpec.DEFAULT_BOOTSTRAP_SERVERS,
                "--review-threshold", String.valueOf(ModelSpec.DEFAULT_REVIEW_THRESHOLD),
                "--block-threshold", String.valueOf(ModelSpec.DEFAULT_BLOCK_THRESHOLD),
                "--on-worse", ModelSpec.DEFAULT_ON_WORSE.name().toLowerCase(Locale.ROOT),
                "--gate-margin", String.valueOf(trainer.gateMargin()),
                "--window", trainer.window().toString(),
                "--max-examples", String.valueOf(trainer.maxExamples()),
                "--retrain-every", trainer.retrainEvery().toString(),
                "--retrain-after", String.valueOf(trainer.retrainAfterLabels()));
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return argSpec instanceof OptionSpec option ? BY_OPTION.get(option.longestName()) : null;
    }
}

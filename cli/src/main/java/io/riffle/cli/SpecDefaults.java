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
 * gate margin, minimums, split fractions and drift detector from {@link TrainerSpec#defaults()}, the broker from {@link KafkaSpec}. Options not
 * listed keep their own {@code defaultValue}.
 */
public final class SpecDefaults implements IDefaultValueProvider {
    private static final Map<String, String> BY_OPTION;

    static {
        TrainerSpec trainer = TrainerSpec.defaults();
        BY_OPTION = Map.ofEntries(
                Map.entry("--bootstrap-servers", KafkaSpec.DEFAULT_BOOTSTRAP_SERVERS),
                Map.entry("--review-threshold", String.valueOf(ModelSpec.DEFAULT_REVIEW_THRESHOLD)),
                Map.entry("--block-threshold", String.valueOf(ModelSpec.DEFAULT_BLOCK_THRESHOLD)),
                Map.entry("--on-worse", ModelSpec.DEFAULT_ON_WORSE.name().toLowerCase(Locale.ROOT)),
                Map.entry("--gate-margin", String.valueOf(trainer.gateMargin())),
                Map.entry("--window", trainer.window().toString()),
                Map.entry("--max-examples", String.valueOf(trainer.maxExamples())),
                Map.entry("--retrain-every", trainer.retrainEvery().toString()),
                Map.entry("--retrain-after", String.valueOf(trainer.retrainAfterLabels())),
                Map.entry("--min-examples", String.valueOf(trainer.minExamples())),
                Map.entry("--min-positives", String.valueOf(trainer.minPositives())),
                Map.entry("--holdout-fraction", String.valueOf(trainer.holdoutFraction())),
                Map.entry("--validation-fraction", String.valueOf(trainer.validationFraction())),
                Map.entry("--drift", trainer.drift().detector().name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        return argSpec instanceof OptionSpec option ? BY_OPTION.get(option.longestName()) : null;
    }
}

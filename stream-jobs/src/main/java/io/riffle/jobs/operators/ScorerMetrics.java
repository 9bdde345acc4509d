package io.riffle.jobs.operators;

import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.serving.ServingModels;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * A {@link BatchingScorer}'s metrics: records scored, batches, dead letters, rejected model
 * versions, NaN or infinite model outputs; the records waiting for models, the serving device,
 * and per model name the version serving ({@code model.<name>.version}).
 */
final class ScorerMetrics {
    final Counter scored;
    final Counter batches;
    final Counter deadLetters;
    final Counter rejected;
    final Counter nonFiniteOutputs;
    private final MetricGroup group;
    private final ServingModels models;
    private final Set<String> versionGauges = new HashSet<>();

    ScorerMetrics(MetricGroup group, ServingModels models, IntSupplier waiting) {
        this.group = group;
        this.models = models;
        scored = group.counter("riffleScored");
        batches = group.counter("riffleBatches");
        deadLetters = group.counter("riffleDeadLetters");
        rejected = group.counter("riffleModelsRejected");
        nonFiniteOutputs = group.counter("riffleNonFiniteOutputs");
        group.gauge("riffleWaiting", waiting::getAsInt);
        group.gauge("riffleDevice", models::device);
        servingChanged();
    }

    /** Registers the version gauge of every model name not seen before. */
    void servingChanged() {
        for (LoadedModel m : models.slots()) {
            String name = m.name();
            if (versionGauges.add(name)) {
                group.addGroup("model", name).gauge("version", () -> {
                    LoadedModel current = models.get(name);
                    return current == null ? 0 : current.versionNumber();
                });
            }
        }
    }
}

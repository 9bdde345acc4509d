package io.riffle.bench;

import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;

/**
 * The pipeline every variant runs: the demo's own file ({@value PipelineFiles#DEMO}: card
 * payments, 46 features with per-card windows over 1m/1h/24h). The passthrough decodes and
 * re-encodes its events with its schema, the naive scorer computes its features record by record,
 * and Riffle runs it as {@link io.riffle.jobs.PipelineScoringJob}.
 */
final class BenchPipeline {
    private static PipelineSpec spec;

    private BenchPipeline() {}

    static synchronized PipelineSpec spec() {
        if (spec == null) {
            try {
                spec = PipelineSpec.load(PipelineFiles.shipped(PipelineFiles.DEMO));
            } catch (PipelineSpecException e) {
                throw new IllegalStateException("the bench runs " + PipelineFiles.DEMO + ", which is invalid: "
                        + e.getMessage(), e);
            }
        }
        return spec;
    }
}

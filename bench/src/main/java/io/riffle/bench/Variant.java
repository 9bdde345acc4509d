package io.riffle.bench;

/** The jobs the bench compares, in the order it runs them. */
public enum Variant {
    /** Decode and re-encode only: the ceiling of Kafka + Flink on this machine. */
    PASSTHROUGH,
    /** Same features and models, one ONNX Runtime call per record and model in a RichMapFunction. */
    NAIVE,
    /** The real {@link io.riffle.jobs.PipelineScoringJob} (the demo's pipeline file). */
    RIFFLE;

    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

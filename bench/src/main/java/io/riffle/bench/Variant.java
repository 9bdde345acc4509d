package io.riffle.bench;

/** The jobs the bench compares, in the order it runs them. */
public enum Variant {
    /** Decode and re-encode only: the ceiling of Kafka + Flink on this machine. */
    PASSTHROUGH,
    /**
     * The passthrough with a keyed shuffle by card before its sink: every event crosses Flink's
     * network stack (serialized, buffered, deserialized by another task) as in every job that keeps
     * state per entity, riffle's and naive's included. The ceiling of a keyed job on this machine;
     * not run unless asked for ({@code --variants}).
     */
    PASSTHROUGH_KEYED,
    /** Same features and models, one ONNX Runtime call per record and model in a RichMapFunction. */
    NAIVE,
    /** The real {@link io.riffle.jobs.PipelineScoringJob} (the demo's pipeline file). */
    RIFFLE,
    /**
     * The same scoring job with the run's {@code --alt} configuration on top (Flink or Riffle
     * options): a lever measured on and off side by side in one run.
     */
    RIFFLE_ALT;

    /** The name in the output and on the command line: passthrough, passthrough-keyed, naive, riffle, riffle-alt. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The variant named {@code key} (as {@link #key()} spells it; case and - or _ do not matter). */
    public static Variant of(String key) {
        return valueOf(key.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }

    /** Whether this writes the events themselves (re-encoded, their ingest time in a header) instead of scores. */
    boolean isPassthrough() {
        return this == PASSTHROUGH || this == PASSTHROUGH_KEYED;
    }

    /** Whether this runs the real scoring job. */
    boolean isRiffle() {
        return this == RIFFLE || this == RIFFLE_ALT;
    }
}

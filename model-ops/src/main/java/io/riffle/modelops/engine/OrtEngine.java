package io.riffle.modelops.engine;

import ai.onnxruntime.OrtEnvironment;

/**
 * The JVM's single {@link OrtEnvironment}. It is created on first use and lives as long as the
 * JVM: callers must never close it (sessions of other jobs in the same task manager use it).
 */
public final class OrtEngine {

    private OrtEngine() {}

    public static OrtEnvironment environment() {
        return Holder.ENV;
    }

    // The holder idiom defers loading the native library until an engine is actually needed.
    private static final class Holder {
        static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    }
}

package io.riffle.modelops.spec;

import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.schemas.Decision;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code scoring:} section: micro-batch size and maximum delay (on the CPU, and on a CUDA
 * device, where one call costs about the same whatever the batch, so batches are larger), the ONNX Runtime device, the
 * Kafka sinks' delivery guarantee, the parallelism of source, features and scorer, the Kafka
 * timestamp of the output records, the decision for a record a deciding model failed on (a NaN or
 * infinite output), whether the CUDA provider may compute in TF32, the public keys whose
 * signatures the scorer trusts (absolute paths; none: signatures are not checked) and whether a
 * model must carry a feature spec hash.
 */
public record ScoringSpec(int batchSize, Duration maxDelay, int cudaBatchSize, Duration cudaMaxDelay, DeviceRequest device, Delivery delivery, int parallelism,
                          OutputTimestamp outputTimestamp, Decision onModelFailure, boolean cudaTf32,
                          List<Path> trustedKeys, boolean requireSpecHash) {

    /** The sinks' delivery guarantee, spelled {@code exactly-once} / {@code at-least-once} in files and options. */
    public enum Delivery {
        EXACTLY_ONCE, AT_LEAST_ONCE;

        /** How files and options spell it. */
        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /**
         * Parses {@code exactly-once} or {@code at-least-once} (case and surrounding blanks ignored).
         *
         * @throws IllegalArgumentException naming the allowed values
         */
        public static Delivery parse(String text) {
            String v = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
            for (Delivery d : values()) {
                if (d.spelling().equals(v)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("'" + text + "'; use exactly-once or at-least-once");
        }
    }

    /**
     * Rows per call when the models run on a CUDA device: measured on an H200 (ONNX Runtime 1.28),
     * a call costs 200-300 µs whatever the batch, so the demo-sized network beats one CPU thread
     * only from about 2,048 rows; larger networks from 256.
     */
    public static final int CUDA_BATCH_SIZE = 2048;

    public ScoringSpec {
        trustedKeys = List.copyOf(trustedKeys);
    }

    /** The defaults of every setting: the scoring options ({@code ScoringOptions}) take theirs from here. */
    public static ScoringSpec defaults() {
        return new ScoringSpec(256, Duration.ofMillis(20), CUDA_BATCH_SIZE, Duration.ofMillis(20), DeviceRequest.cpu(), Delivery.EXACTLY_ONCE, 2,
                OutputTimestamp.WRITE_TIME, Decision.REVIEW, false, List.of(), true);
    }
}

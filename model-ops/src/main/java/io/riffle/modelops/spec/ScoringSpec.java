package io.riffle.modelops.spec;

import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.schemas.Decision;

import java.time.Duration;

/**
 * The {@code scoring:} section: micro-batch size and maximum delay, the ONNX Runtime device, the
 * Kafka sinks' delivery guarantee, the parallelism of source, features and scorer, the Kafka
 * timestamp of the output records, the decision for a record a deciding model failed on (a NaN or
 * infinite output) and whether the CUDA provider may compute in TF32.
 */
public record ScoringSpec(int batchSize, Duration maxDelay, DeviceRequest device, Delivery delivery, int parallelism,
                          OutputTimestamp outputTimestamp, Decision onModelFailure, boolean cudaTf32) {

    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    public static ScoringSpec defaults() {
        return new ScoringSpec(256, Duration.ofMillis(20), DeviceRequest.cpu(), Delivery.EXACTLY_ONCE, 2,
                OutputTimestamp.WRITE_TIME, Decision.REVIEW, false);
    }
}

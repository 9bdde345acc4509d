package io.riffle.modelops.spec;

import io.riffle.modelops.engine.DeviceRequest;

import java.time.Duration;

/**
 * The {@code scoring:} section: micro-batch size and maximum delay, the ONNX Runtime device, the
 * Kafka sinks' delivery guarantee and the parallelism of source, features and scorer.
 */
public record ScoringSpec(int batchSize, Duration maxDelay, DeviceRequest device, Delivery delivery, int parallelism) {

    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    public static ScoringSpec defaults() {
        return new ScoringSpec(256, Duration.ofMillis(20), DeviceRequest.cpu(), Delivery.EXACTLY_ONCE, 2);
    }
}

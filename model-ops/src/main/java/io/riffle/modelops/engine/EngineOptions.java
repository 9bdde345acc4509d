package io.riffle.modelops.engine;

import java.io.Serializable;
import java.util.Objects;

/**
 * How sessions are created. One intra-op and one inter-op thread per session is the measured
 * best on small machines, and keeps native threads from multiplying with the number of slots.
 *
 * @param intraOpThreads ONNX Runtime intra-op threads ({@code 0} = ONNX Runtime's default)
 * @param interOpThreads ONNX Runtime inter-op threads ({@code 0} = ONNX Runtime's default)
 */
public record EngineOptions(DeviceRequest device, int intraOpThreads, int interOpThreads) implements Serializable {

    public EngineOptions {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException(
                    "thread counts must be >= 0, got intra-op " + intraOpThreads + " and inter-op " + interOpThreads);
        }
    }

    /** cpu, one intra-op thread, one inter-op thread. */
    public static EngineOptions defaults() {
        return new EngineOptions(DeviceRequest.cpu(), 1, 1);
    }

    public EngineOptions withDevice(DeviceRequest newDevice) {
        return new EngineOptions(newDevice, intraOpThreads, interOpThreads);
    }
}

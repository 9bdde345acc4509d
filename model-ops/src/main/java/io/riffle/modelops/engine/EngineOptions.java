package io.riffle.modelops.engine;

import java.io.Serializable;
import java.util.Objects;

/**
 * How sessions are created. One intra-op and one inter-op thread per session is the measured
 * best on small machines, and keeps native threads from multiplying with the number of slots.
 *
 * @param intraOpThreads ONNX Runtime intra-op threads ({@code 0} = ONNX Runtime's default)
 * @param interOpThreads ONNX Runtime inter-op threads ({@code 0} = ONNX Runtime's default)
 * @param tf32 whether the CUDA provider may compute matrix products in TF32 (its own default):
 *     no faster on an H200 for these models, and outputs then differ from the CPU's by up to
 *     5.4e-4 instead of 1.8e-7. Ignored on the CPU.
 */
public record EngineOptions(DeviceRequest device, int intraOpThreads, int interOpThreads, boolean tf32)
        implements Serializable {

    public EngineOptions {
        Objects.requireNonNull(device, "device");
        if (intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException(
                    "thread counts must be >= 0, got intra-op " + intraOpThreads + " and inter-op " + interOpThreads);
        }
    }

    /** Without TF32. */
    public EngineOptions(DeviceRequest device, int intraOpThreads, int interOpThreads) {
        this(device, intraOpThreads, interOpThreads, false);
    }

    /** cpu, one intra-op thread, one inter-op thread, no TF32. */
    public static EngineOptions defaults() {
        return new EngineOptions(DeviceRequest.cpu(), 1, 1);
    }

    public EngineOptions withDevice(DeviceRequest newDevice) {
        return new EngineOptions(newDevice, intraOpThreads, interOpThreads, tf32);
    }

    public EngineOptions withTf32(boolean enabled) {
        return new EngineOptions(device, intraOpThreads, interOpThreads, enabled);
    }
}

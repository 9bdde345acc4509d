package io.riffle.modelops.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime sessions shared per JVM, keyed by the model's sha256 and the engine options, and
 * reference-counted: N operator instances scoring the same model hold one session (one copy of
 * the weights on a GPU), and the session is closed when the last handle is closed.
 *
 * <p>The cache trusts the caller that {@code onnx} hashes to {@code sha256} (the validator checks
 * it before acquiring). Thread-safe; session creation happens under the cache's lock, which is
 * acceptable because models change rarely and a second acquirer of the same model has to wait
 * for it anyway.
 */
public final class SessionCache {

    private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);

    // One warning per JVM, not per model or subtask: a GPU-less host would otherwise log it for
    // every model version and slot.
    private static final AtomicBoolean AUTO_FALLBACK_WARNED = new AtomicBoolean();

    private static final SessionCache SHARED = new SessionCache();

    private final Map<Key, Entry> entries = new HashMap<>();

    /** A private cache; production code uses {@link #shared()}. */
    public SessionCache() {}

    /** The JVM-wide cache. */
    public static SessionCache shared() {
        return SHARED;
    }

    /**
     * Returns a new handle on the session for {@code sha256}, creating the session from {@code
     * onnx} if no handle on it is open.
     *
     * @throws ModelLoadException if ONNX Runtime cannot load the bytes, or the CUDA provider was
     *     requested explicitly and is not usable
     */
    public ModelSession acquire(String sha256, byte[] onnx, EngineOptions options) throws ModelLoadException {
        if (sha256 == null || onnx == null || options == null) {
            throw new IllegalArgumentException("sha256, onnx and options are required");
        }
        // TF32 changes nothing on the CPU: a CPU session is shared whatever its TF32 setting.
        EngineOptions keyed = options.device().kind() == DeviceRequest.Kind.CPU ? options.withTf32(false) : options;
        Key key = new Key(sha256.toLowerCase(Locale.ROOT), keyed);
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry == null) {
                entry = create(key, onnx);
                entries.put(key, entry);
            }
            entry.references++;
            return new ModelSession(this, entry);
        }
    }

    /** Sessions currently open in this cache. */
    public synchronized int openSessions() {
        return entries.size();
    }

    /** Open handles on sessions of this sha256 (over all engine options). */
    public synchronized int references(String sha256) {
        String k = sha256.toLowerCase(Locale.ROOT);
        int sum = 0;
        for (Entry e : entries.values()) {
            if (e.sha256.equals(k)) {
                sum += e.references;
            }
        }
        return sum;
    }

    void release(Entry entry) {
        boolean last;
        synchronized (this) {
            entry.references--;
            last = entry.references == 0;
            if (last) {
                entries.remove(entry.key);
            }
        }
        if (last) {
            try {
                entry.session.close();
                LOG.debug("closed ONNX Runtime session {} on {}", entry.sha256, entry.device);
            } catch (OrtException e) {
                LOG.warn("closing ONNX Runtime session {} failed", entry.sha256, e);
            }
        }
    }

    private static Entry create(Key key, byte[] onnx) throws ModelLoadException {
        EngineOptions options = key.options;
        DeviceRequest device = options.device();
        switch (device.kind()) {
            case CPU:
                return open(key, onnx, false);
            case CUDA:
                return open(key, onnx, true);
            case AUTO:
            default:
                try {
                    return open(key, onnx, true);
                } catch (CudaUnavailable e) {
                    if (AUTO_FALLBACK_WARNED.compareAndSet(false, true)) {
                        LOG.warn("device auto: the CUDA provider is not usable ({}); models run on the CPU. "
                                + "Build with the gpu Maven profile on a host with CUDA 12 and cuDNN 9 to use a GPU, "
                                + "or set device cpu to silence this warning.", e.getCause().getMessage());
                    }
                    return open(key, onnx, false);
                }
        }
    }

    private static Entry open(Key key, byte[] onnx, boolean cuda) throws ModelLoadException {
        EngineOptions options = key.options;
        int deviceId = options.device().deviceId();
        OrtCUDAProviderOptions cudaOptions = null;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(options.interOpThreads());
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (cuda) {
                try {
                    // Its constructor already needs the CUDA provider library.
                    cudaOptions = new OrtCUDAProviderOptions(deviceId);
                    for (Map.Entry<String, String> option : cudaProviderOptions(options).entrySet()) {
                        cudaOptions.add(option.getKey(), option.getValue());
                    }
                    so.addCUDA(cudaOptions);
                } catch (OrtException | RuntimeException | LinkageError e) {
                    throw new CudaUnavailable(deviceId, e);
                }
            }
            OrtSession session;
            try {
                session = OrtEngine.environment().createSession(onnx, so);
            } catch (OrtException e) {
                if (cuda && looksLikeCudaFailure(e)) {
                    throw new CudaUnavailable(deviceId, e);
                }
                throw new ModelLoadException("ONNX Runtime could not load the model: " + e.getMessage(), e);
            }
            try {
                Map<String, NodeInfo> inputs = Collections.unmodifiableMap(new LinkedHashMap<>(session.getInputInfo()));
                Map<String, NodeInfo> outputs = Collections.unmodifiableMap(new LinkedHashMap<>(session.getOutputInfo()));
                String served = cuda ? "cuda:" + deviceId : "cpu";
                LOG.info("opened ONNX Runtime session {} on {} ({} bytes)", key.sha256, served, onnx.length);
                return new Entry(key, session, served, inputs, outputs);
            } catch (OrtException e) {
                closeQuietly(session);
                throw new ModelLoadException("ONNX Runtime could not read the model's inputs/outputs: " + e.getMessage(), e);
            }
        } catch (OrtException e) {
            throw new ModelLoadException("ONNX Runtime rejected the session options: " + e.getMessage(), e);
        } finally {
            if (cudaOptions != null) {
                cudaOptions.close();
            }
        }
    }

    /**
     * The CUDA provider's options for {@code options}, as passed to {@link OrtCUDAProviderOptions#add}.
     * TF32 is off unless asked for: the provider's default (on) moves outputs away from the CPU's
     * by up to 5.4e-4 (1.8e-7 without it, at the same speed, measured on an H200): enough for the
     * same record to be decided differently on a GPU and on a CPU when it sits near a threshold.
     */
    static Map<String, String> cudaProviderOptions(EngineOptions options) {
        Map<String, String> cuda = new LinkedHashMap<>();
        cuda.put("device_id", Integer.toString(options.device().deviceId()));
        cuda.put("use_tf32", options.tf32() ? "1" : "0");
        return cuda;
    }

    private static boolean looksLikeCudaFailure(OrtException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("cuda") || m.contains("cudnn") || m.contains("cublas");
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // Already failing; the original error is more useful.
        }
    }

    /** A CUDA provider failure, told apart so that {@code auto} can fall back to the CPU. */
    private static final class CudaUnavailable extends ModelLoadException {
        private static final long serialVersionUID = 1L;

        CudaUnavailable(int deviceId, Throwable cause) {
            super("the ONNX Runtime CUDA provider is unavailable for cuda:" + deviceId + " (" + cause.getMessage()
                    + "). Build with the gpu Maven profile (-Pgpu, onnxruntime_gpu) on a host with CUDA 12 and"
                    + " cuDNN 9, or use device cpu or auto.", cause);
        }
    }

    private record Key(String sha256, EngineOptions options) {}

    static final class Entry {
        final Key key;
        final String sha256;
        final OrtSession session;
        final String device;
        final Map<String, NodeInfo> inputs;
        final Map<String, NodeInfo> outputs;
        int references; // guarded by the cache

        Entry(Key key, OrtSession session, String device, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs) {
            this.key = key;
            this.sha256 = key.sha256;
            this.session = session;
            this.device = device;
            this.inputs = inputs;
            this.outputs = outputs;
        }
    }
}

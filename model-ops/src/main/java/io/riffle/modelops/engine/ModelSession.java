package io.riffle.modelops.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One handle on a shared, reference-counted ONNX Runtime session from a {@link SessionCache}.
 * {@link #close()} releases this handle's reference (once; later calls do nothing); the session
 * itself closes when its last handle is closed. The handle may be used from one thread at a
 * time; ONNX Runtime allows concurrent {@code run} calls on the shared session.
 */
public final class ModelSession implements AutoCloseable {

    private final SessionCache cache;
    private final SessionCache.Entry entry;
    private final AtomicBoolean closed = new AtomicBoolean();

    ModelSession(SessionCache cache, SessionCache.Entry entry) {
        this.cache = cache;
        this.entry = entry;
    }

    public String sha256() {
        return entry.sha256;
    }

    /** The device actually serving: {@code cpu} or {@code cuda:N}. */
    public String device() {
        return entry.device;
    }

    /** The shared session. Do not close it: close this handle instead. */
    public OrtSession session() {
        if (closed.get()) {
            throw new IllegalStateException("model session " + entry.sha256 + " handle is closed");
        }
        return entry.session;
    }

    /** Input name to metadata, in the model's input order. */
    public Map<String, NodeInfo> inputInfo() {
        return entry.inputs;
    }

    /** Output name to metadata, in the model's output order. */
    public Map<String, NodeInfo> outputInfo() {
        return entry.outputs;
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cache.release(entry);
        }
    }

    @Override
    public String toString() {
        return "ModelSession[" + entry.sha256 + " on " + entry.device + (closed.get() ? ", closed]" : "]");
    }
}

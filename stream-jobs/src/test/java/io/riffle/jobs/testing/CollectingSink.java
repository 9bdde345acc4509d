package io.riffle.jobs.testing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A sink that keeps every record it receives in this JVM (a MiniCluster runs in the test's JVM),
 * for tests that run a job's graph with test sources. Records are kept as they arrive, so they
 * must not be reused by the upstream operator after being written (Riffle's operators emit fresh
 * records).
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    public CollectingSink() {
        RECEIVED.put(id, new CopyOnWriteArrayList<>());
    }

    /** What the sink's writers have received so far, in arrival order per writer. */
    @SuppressWarnings("unchecked")
    public List<T> received() {
        return (List<T>) (List<?>) RECEIVED.get(id);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> into = RECEIVED.get(id);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                into.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}

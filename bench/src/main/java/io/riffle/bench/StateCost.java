package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.jobs.operators.EntityFeatureStateSerializer;
import io.riffle.modelops.features.DuplicateEvents;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.EventsSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.Transaction;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import io.riffle.jobs.serde.EntityKeySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.riffle.bench.BenchResults.round;

/**
 * What the scoring job's keyed state costs per entity, measured at a few entity counts and
 * extrapolated to 10 million: N cards each get {@code perEntity} events spread over the spec's
 * longest window (one day for the demo's 1m/1h/24h aggregates), through the job's own featurizer
 * and duplicate memory, into a map of card id to state as the heap state backend keeps it. Then:
 * the live heap the map holds (after a full collection, against the heap before), and a full
 * snapshot as the heap backend's checkpoint writes one (every key and state through the job's
 * serializers, on one thread, as each subtask's asynchronous snapshot thread does) and its
 * restore. Linear in N by construction (one independent state per entity): the measured points
 * show how close to linear it is.
 */
public final class StateCost {
    private static final long DAY_MS = Duration.ofDays(1).toMillis();
    private static final long BASE_TIME = 1_760_000_000_000L;
    private static final long EXTRAPOLATE_TO = 10_000_000L;

    private StateCost() {}

    public static ObjectNode run(List<Integer> entityCounts, int perEntity, Consumer<String> say) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("events_per_entity", perEntity);
        root.put("spread_over_ms", DAY_MS);
        ArrayNode points = root.putArray("points");
        ObjectNode largest = null;
        for (int n : entityCounts) {
            ObjectNode p = measure(json, n, perEntity, say);
            points.add(p);
            if (largest == null || n > largest.path("entities").asLong()) {
                largest = p;
            }
        }
        if (largest != null) {
            double scale = (double) EXTRAPOLATE_TO / largest.path("entities").asLong();
            ObjectNode x = root.putObject("extrapolated_10m");
            x.put("entities", EXTRAPOLATE_TO);
            x.put("heap_gb", round(largest.path("heap_bytes").asDouble() * scale / 1e9, 2));
            x.put("checkpoint_gb", round(largest.path("checkpoint_bytes").asDouble() * scale / 1e9, 2));
            x.put("snapshot_core_s", round(largest.path("snapshot_ms").asDouble() * scale / 1e3, 1));
            x.put("restore_core_s", round(largest.path("restore_ms").asDouble() * scale / 1e3, 1));
            say.accept(String.format("extrapolated to %,d entities: %.2f GB of heap, %.2f GB per full checkpoint,"
                            + " %.1f core-seconds to write it and %.1f to restore it (divide by the parallelism)",
                    EXTRAPOLATE_TO, x.path("heap_gb").asDouble(), x.path("checkpoint_gb").asDouble(),
                    x.path("snapshot_core_s").asDouble(), x.path("restore_core_s").asDouble()));
        }
        return root;
    }

    private static ObjectNode measure(ObjectMapper json, int n, int perEntity, Consumer<String> say) throws IOException {
        PipelineSpec spec = BenchPipeline.spec();
        FeatureExtractor extractor = FeatureExtractor.of(spec);
        EventsSpec.Duplicates d = spec.events().duplicates();
        DuplicateEvents duplicates = d.checked() ? new DuplicateEvents(d.within(), DuplicateEvents.DEFAULT_CAPACITY)
                : null;
        Schema schema = spec.eventSchema();
        float[] features = new float[extractor.count()];
        say.accept(String.format("state cost: %,d entities x %d events over a day ...", n, perEntity));
        long heapBefore = liveHeap();
        Map<String, EntityFeatureState> states = new HashMap<>(n * 2);
        long t0 = System.nanoTime();
        long index = 0;
        for (int j = 0; j < perEntity; j++) {
            for (int card = 0; card < n; card++) {
                // each card's events evenly over the day, cards staggered so that buckets differ
                long time = BASE_TIME + (j * DAY_MS + (long) card * 997 % DAY_MS) / perEntity;
                Transaction t = BenchEvents.event('s', index++, time, n);
                GenericData.Record r = new GenericData.Record(schema);
                for (Schema.Field f : schema.getFields()) {
                    r.put(f.pos(), t.get(f.name()));
                }
                String key = String.format("card-%010d", card);
                r.put(schema.getField(spec.features().entityKey()).pos(), key);
                EntityFeatureState s = states.computeIfAbsent(key, k -> extractor.newState());
                extractor.extract(r, time, s, features, 0);
                if (duplicates != null) {
                    duplicates.remember(s, DuplicateEvents.hash(t.getEventId()), time);
                }
            }
        }
        double buildS = (System.nanoTime() - t0) / 1e9;
        long heap = liveHeap() - heapBefore;

        // Each timed three times, the fastest reported: the first pays for the JIT, any may meet a collection.
        long bytes = 0;
        double snapshotMs = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long s0 = System.nanoTime();
            bytes = snapshot(states);
            snapshotMs = Math.min(snapshotMs, (System.nanoTime() - s0) / 1e6);
        }

        // restore: read back a sample written the same way, timed per entity
        int sample = Math.min(n, 100_000);
        DataOutputSerializer part = new DataOutputSerializer(sample * 1024);
        int written = 0;
        for (Map.Entry<String, EntityFeatureState> e : states.entrySet()) {
            if (written++ == sample) {
                break;
            }
            EntityKeySerializer.INSTANCE.serialize(e.getKey(), part);
            EntityFeatureStateSerializer.INSTANCE.serialize(e.getValue(), part);
        }
        double restoreMs = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            DataInputDeserializer in = new DataInputDeserializer(part.getSharedBuffer(), 0, part.length());
            long r0 = System.nanoTime();
            long check = 0;
            for (int i = 0; i < sample; i++) {
                check += EntityKeySerializer.INSTANCE.deserialize(in).length();
                check += EntityFeatureStateSerializer.INSTANCE.deserialize(in).events;
            }
            restoreMs = Math.min(restoreMs, (System.nanoTime() - r0) / 1e6 * n / sample);
            if (check != (long) sample * (perEntity + "card-0000000000".length())) {
                throw new IllegalStateException("the restored states do not hold the events written: " + check);
            }
        }

        ObjectNode p = json.createObjectNode();
        p.put("entities", n);
        p.put("heap_bytes", heap);
        p.put("heap_bytes_per_entity", Math.round((double) heap / n));
        p.put("checkpoint_bytes", bytes);
        p.put("checkpoint_bytes_per_entity", Math.round((double) bytes / n));
        p.put("snapshot_ms", round(snapshotMs, 1));
        p.put("snapshot_ns_per_entity", Math.round(snapshotMs * 1e6 / n));
        p.put("restore_ms", round(restoreMs, 1));
        p.put("build_s", round(buildS, 1));
        say.accept(String.format("  %,d entities: heap %,d MB (%,d bytes each), full snapshot %,d MB (%,d bytes each)"
                        + " written in %,.0f ms (%,d ns each), restored in %,.0f ms", n, heap >> 20, heap / n,
                bytes >> 20, bytes / n, snapshotMs, Math.round(snapshotMs * 1e6 / n), restoreMs));
        states.clear();
        return p;
    }

    /** Every key and state through the job's serializers into a reused 1 MB buffer (the disk left out); returns the bytes. */
    private static long snapshot(Map<String, EntityFeatureState> states) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        long bytes = 0;
        for (Map.Entry<String, EntityFeatureState> e : states.entrySet()) {
            EntityKeySerializer.INSTANCE.serialize(e.getKey(), out);
            EntityFeatureStateSerializer.INSTANCE.serialize(e.getValue(), out);
            if (out.length() > (1 << 20) - 65_536) {
                bytes += out.length();
                out.clear();
            }
        }
        return bytes + out.length();
    }

    private static long liveHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            memory.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}

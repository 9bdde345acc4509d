package io.riffle.bench;

import io.riffle.jobs.operators.EntityFeatureStateSerializer;
import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.modelops.features.DuplicateEvents;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.Transaction;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scorer's per-entity state work without Flink around it, over as many cards as a throughput
 * phase: {@link #event} is one event's state lookup (a hash map of the cards' states), duplicate
 * check, 46 features and update; {@link #checkpoint} writes every card's state as a checkpoint
 * does; {@link #copyOnWrite} deep-copies it, as the heap backend does for an entity the scorer
 * touches while a snapshot runs. All three are memory-bound on {@code entities} states, so this is
 * where a state layout shows. Times per entity. {@link #chunkWarmed} against {@link #chunkOneAtATime}
 * is the scorer's warm chunk on and off. Run with {@code java -cp
 * "bench/target/riffle-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main
 * EntityStateBenchmark} after {@code mvn -DskipTests package}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EntityStateBenchmark {

    /** Events each card has had before measuring: about a throughput phase's (2,000,000 over 100,000). */
    private static final int EVENTS_PER_CARD = 20;
    /** Pre-built events cycled through (their times are the benchmark's own, always advancing). */
    private static final int EVENTS = 1 << 20;
    /** Event time between two events: 200,000 events/s. */
    private static final double MS_PER_EVENT = 0.005;
    private static final long START = 1_700_000_000_000L;
    /** States written or copied per invocation of {@link #checkpoint} and {@link #copyOnWrite} (cycling through them). */
    private static final int STATES = 100_000;

    @Param({"100000"})
    public int entities;

    private FeatureExtractor extractor;
    private DuplicateEvents duplicates;
    private final Map<String, EntityFeatureState> states = new HashMap<>();
    private Transaction[] events;
    /** Each event's card as a key object of its own, as the scorer gets it from the shuffle. */
    private String[] keys;
    private EntityFeatureState[] all;
    private float[] row;
    private long next;
    private DataOutputSerializer out;

    @Setup
    public void setup() {
        PipelineSpec spec = BenchPipeline.spec();
        extractor = FeatureExtractor.of(spec);
        duplicates = new DuplicateEvents(spec.events().duplicates().within(), DuplicateEvents.DEFAULT_CAPACITY);
        row = new float[extractor.count()];
        events = new Transaction[EVENTS];
        keys = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            events[i] = BenchEvents.event('s', i, START, entities);
            keys[i] = new String(events[i].getCardId().toString());
        }
        long warm = (long) EVENTS_PER_CARD * entities;
        for (long i = 0; i < warm; i++) {
            event();
        }
        all = states.values().toArray(new EntityFeatureState[0]);
        out = new DataOutputSerializer(4 << 20);
    }

    /** One event of a card: lookup, duplicate check, features, update. */
    @Benchmark
    public float event() {
        long i = next++;
        int at = (int) (i & (EVENTS - 1));
        long t = START + (long) (i * MS_PER_EVENT);
        EntityFeatureState s = states.get(keys[at]);
        if (s == null) {
            s = extractor.newState();
            states.put(keys[at], s);
        }
        long idHash = i * 0x9E3779B97F4A7C15L;
        if (!duplicates.seen(s, idHash)) {
            extractor.extract(events[at], t, s, row, 0);
            duplicates.remember(s, idHash, t);
        }
        return row[row.length - 1];
    }

    private static final int CHUNK = SpecFeatureRows.DEFAULT_WARM_CHUNK;
    private final EntityFeatureState[] chunkStates = new EntityFeatureState[CHUNK];
    private long warmSum;

    /**
     * A chunk of events as the scorer takes them by default ({@code riffle.scoring.warm-chunk}):
     * every card's state looked up and warmed ({@link EntityFeatureState#warm}), then each event's
     * duplicate check, features and update in order (time per event).
     */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long chunkWarmed() {
        long first = next;
        for (int j = 0; j < CHUNK; j++) {
            chunkStates[j] = states.get(keys[(int) ((first + j) & (EVENTS - 1))]);
        }
        long sum = 0;
        for (int j = 0; j < CHUNK; j++) {
            if (chunkStates[j] != null) {
                sum += chunkStates[j].warm();
            }
            chunkStates[j] = null;
        }
        warmSum += sum;
        float r = 0;
        for (int j = 0; j < CHUNK; j++) {
            r += event();
        }
        return warmSum + (long) r;
    }

    /** The same chunk one event at a time, as with {@code riffle.scoring.warm-chunk=0} (time per event). */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public float chunkOneAtATime() {
        float r = 0;
        for (int j = 0; j < CHUNK; j++) {
            r += event();
        }
        return r;
    }

    /** Every card's state written as a checkpoint writes it (time per card). */
    @Benchmark
    @OperationsPerInvocation(STATES)
    public int checkpoint() throws IOException {
        int bytes = 0;
        for (int i = 0; i < STATES; i++) {
            out.clear();
            EntityFeatureStateSerializer.INSTANCE.serialize(all[i % all.length], out);
            bytes += out.length();
        }
        return bytes;
    }

    /** Every card's state deep-copied, as copy-on-write does while a snapshot runs (time per card). */
    @Benchmark
    @OperationsPerInvocation(STATES)
    public long copyOnWrite() {
        long n = 0;
        for (int i = 0; i < STATES; i++) {
            n += EntityFeatureStateSerializer.INSTANCE.copy(all[i % all.length]).events;
        }
        return n;
    }
}

package io.riffle.bench;

import io.riffle.jobs.serde.EntityKeyTypeInfo;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * How much of finding a card's state among 100,000 is memory latency that another table could
 * overlap: a chunk of events' card states found and each one's first long read, (a) one after
 * another in a {@link HashMap} (the chain of dependent loads of Flink's heap state map: table
 * slot, entry, stored key and its bytes, then the state), (b) one after another in an
 * open-addressing table of hashes, keys and states, and (c) in that table staged across the
 * chunk: every key's slot by its hash first, then every candidate's key compared, then every
 * state read, so that the chunk's cache misses overlap instead of following one another, and (d)
 * in Flink's own heap keyed state (the key made current, then the state read; alone and in the
 * scorer's two passes). The
 * keys and states are the same objects in all three; each lookup uses a key object of its own,
 * as the keyed shuffle gives the scorer. A prototype for deciding on the scorer's own state table
 * (the job runs Flink's); time per lookup. Run with {@code java -cp
 * "bench/target/riffle-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main
 * StateLookupBenchmark} after {@code mvn -DskipTests package}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StateLookupBenchmark {
    /** The scorer's warm chunk ({@code SpecFeatureRows.DEFAULT_WARM_CHUNK}). */
    private static final int CHUNK = 128;
    /** About a bench card's state in the job: ~800 bytes. */
    private static final int STATE_LONGS = 100;
    private static final int PROBES = 1 << 18;

    @Param({"100000"})
    public int entities;

    private HashMap<String, long[]> map;
    private int mask;
    private int[] hashes;
    private String[] keys;
    private long[][] values;
    /** The looked-up keys, each an object of its own, in random card order. */
    private String[] probes;
    private final int[] slots = new int[CHUNK];
    private final Object[] found = new Object[CHUNK];
    private int next;
    /** Flink's heap keyed state (the job's backend and key type), 128 key groups like a job of parallelism 2. */
    private KeyedOneInputStreamOperatorTestHarness<String, String, Long> harness;
    private KeyedStateBackend<String> backend;
    private ValueState<long[]> flinkState;

    @Setup
    @SuppressWarnings("unchecked")
    public void setup() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new NoOperator(), k -> k, EntityKeyTypeInfo.INSTANCE,
                128, 1, 0);
        harness.open();
        backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        flinkState = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("cards", LongPrimitiveArraySerializer.INSTANCE));
        Random random = new Random(7);
        List<String> cards = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            cards.add(String.format("card-%010d", i));
        }
        // inserted, and their states allocated, in random order: neighbours in a table are not neighbours in memory
        Collections.shuffle(cards, random);
        map = new HashMap<>();
        int capacity = Integer.highestOneBit(Math.max(2, 2 * entities - 1)) << 1;
        mask = capacity - 1;
        hashes = new int[capacity];
        keys = new String[capacity];
        values = new long[capacity][];
        for (String card : cards) {
            long[] state = new long[STATE_LONGS];
            state[0] = card.hashCode();
            map.put(card, state);
            backend.setCurrentKey(card);
            flinkState.update(state);
            int h = hash(card);
            int s = h & mask;
            while (hashes[s] != 0) {
                s = (s + 1) & mask;
            }
            hashes[s] = h;
            keys[s] = card;
            values[s] = state;
        }
        probes = new String[PROBES];
        for (int i = 0; i < PROBES; i++) {
            probes[i] = new String(cards.get(random.nextInt(entities)).toCharArray());
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        harness.close();
    }

    /** A keyed operator that only holds the state. */
    private static final class NoOperator extends AbstractStreamOperator<Long> implements OneInputStreamOperator<String, Long> {
        @Override
        public void processElement(StreamRecord<String> element) {}
    }

    /** The next looked-up key (a key object of its own, in random card order). */
    private String nextProbe() {
        return probes[next++ & (PROBES - 1)];
    }

    /** Never 0, which marks an empty slot. */
    private static int hash(String key) {
        int h = key.hashCode() * 0x9E3779B9;
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long hashMapOneAfterAnother() {
        long sum = 0;
        for (int i = 0; i < CHUNK; i++) {
            sum += map.get(nextProbe())[0];
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long openTableOneAfterAnother() {
        long sum = 0;
        for (int i = 0; i < CHUNK; i++) {
            sum += values[find(nextProbe())][0];
        }
        return sum;
    }

    /** Flink's heap state: the key made current (its key group found), then the state read, one after another. */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long flinkHeapOneAfterAnother() throws Exception {
        long sum = 0;
        for (int i = 0; i < CHUNK; i++) {
            backend.setCurrentKey(nextProbe());
            sum += flinkState.value()[0];
        }
        return sum;
    }

    /**
     * As the scorer's warm chunk does: every key made current and its state found (Flink's heap
     * state), then every state's first long read.
     */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long flinkHeapChunk() throws Exception {
        for (int i = 0; i < CHUNK; i++) {
            backend.setCurrentKey(nextProbe());
            found[i] = flinkState.value();
        }
        return readFound();
    }

    /** The second pass: each found state's first long (and the chunk's references let go). */
    private long readFound() {
        long sum = 0;
        for (int i = 0; i < CHUNK; i++) {
            sum += ((long[]) found[i])[0];
            found[i] = null;
        }
        return sum;
    }

    /** The same two passes over a {@link HashMap}. */
    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long hashMapChunk() {
        for (int i = 0; i < CHUNK; i++) {
            found[i] = map.get(nextProbe());
        }
        return readFound();
    }

    private int find(String key) {
        int h = hash(key);
        int s = h & mask;
        while (hashes[s] != h || !key.equals(keys[s])) {
            if (hashes[s] == 0) {
                throw new IllegalStateException("no state for " + key);
            }
            s = (s + 1) & mask;
        }
        return s;
    }

    @Benchmark
    @OperationsPerInvocation(CHUNK)
    public long openTableStaged() {
        int base = next;
        next += CHUNK;
        // 1: each key's first slot with its hash (independent loads of the hash array)
        for (int i = 0; i < CHUNK; i++) {
            int h = hash(probes[(base + i) & (PROBES - 1)]);
            int s = h & mask;
            while (hashes[s] != h && hashes[s] != 0) {
                s = (s + 1) & mask;
            }
            slots[i] = s;
        }
        // 2: each candidate's stored key and its bytes (equal hashes of other keys: probe on)
        for (int i = 0; i < CHUNK; i++) {
            String key = probes[(base + i) & (PROBES - 1)];
            int s = slots[i];
            if (!key.equals(keys[s])) {
                slots[i] = find(key);
            }
        }
        // 3: each state
        long sum = 0;
        for (int i = 0; i < CHUNK; i++) {
            sum += values[slots[i]][0];
        }
        return sum;
    }
}

package io.riffle.jobs.operators;

import io.riffle.jobs.serde.EntityKeyTypeInfo;
import io.riffle.modelops.features.EntityFeatureState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prefetcher of Flink's heap state map reads each key's entry where Flink's map keeps it
 * (the stored key and the state are the ones a lookup returns), also while the map grows and
 * rehashes, and reads nothing, without throwing, for a key the map does not hold or that belongs
 * to another subtask's key groups.
 */
class HeapStatePrefetchTest {
    private static final int MAX_PARALLELISM = 128;

    private KeyedOneInputStreamOperatorTestHarness<String, String, Long> harness;
    private KeyedStateBackend<String> backend;
    private ValueState<EntityFeatureState> state;
    private final ValueStateDescriptor<EntityFeatureState> descriptor = SpecFeatureRows.stateDescriptor();
    private final KeyGroupRange mine = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, 2, 0);

    /** A keyed operator that only holds state (subtask 0 of 2: half the key groups are another's). */
    private static final class Holder extends AbstractStreamOperator<Long> implements OneInputStreamOperator<String, Long> {
        @Override
        public void processElement(StreamRecord<String> element) {}
    }

    @BeforeEach
    @SuppressWarnings("unchecked")
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new Holder(), k -> k, EntityKeyTypeInfo.INSTANCE,
                MAX_PARALLELISM, 2, 0);
        harness.open();
        backend = (KeyedStateBackend<String>) (KeyedStateBackend<?>) harness.getOperator().getKeyedStateBackend();
        state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private boolean isMine(String key) {
        return mine.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX_PARALLELISM));
    }

    @Test
    void readsEveryHeldKeysEntryWhileTheMapGrowsAndNothingForOthers() throws Exception {
        HeapStatePrefetch prefetch = HeapStatePrefetch.of(backend, descriptor);
        assertThat(prefetch).as("Flink's heap state map is prefetchable").isNotNull();
        Random random = new Random(5);
        List<String> held = new ArrayList<>();
        int n = 0;
        while (held.size() < 20_000) {
            String key = "card-" + n++;
            if (!isMine(key)) {
                // another subtask's key group: nothing to read, and no exception
                assertThat(touch(prefetch, key)).isZero();
                continue;
            }
            assertThat(touch(prefetch, key)).as("not held yet: %s", key).isZero();
            EntityFeatureState s = new EntityFeatureState();
            s.size = 1 + held.size() % 7;
            backend.setCurrentKey(key);
            state.update(s);
            held.add(key);
            // the new key and an earlier one, whatever part of a rehash each map is in
            assertThat(touch(prefetch, key)).isEqualTo(expected(key, s));
            String earlier = held.get(random.nextInt(held.size()));
            backend.setCurrentKey(earlier);
            assertThat(touch(prefetch, new String(earlier.toCharArray())))
                    .as("a key object of its own, as the shuffle gives the scorer")
                    .isEqualTo(expected(earlier, state.value()));
        }
        assertThat(touch(prefetch, null)).isZero();

        // a chunk of held, absent and foreign keys at once reads each held one's entry once
        Object[] chunk = new Object[128];
        long want = 0;
        for (int i = 0; i < chunk.length; i++) {
            String key = i % 3 == 0 ? "absent-" + i : held.get(random.nextInt(held.size()));
            chunk[i] = new String(key.toCharArray());
            if (i % 3 != 0) {
                backend.setCurrentKey(key);
                want += expected(key, state.value());
            }
        }
        assertThat(prefetch.touch(chunk, chunk.length)).isEqualTo(want);
    }

    private static long touch(HeapStatePrefetch prefetch, String key) {
        return prefetch.touch(new Object[] {key}, 1);
    }

    /** What reading a held key's entry sums: the stored key's hash and length, the state's size. */
    private static long expected(String key, EntityFeatureState s) {
        return (long) key.hashCode() + key.length() + s.size;
    }

    @Test
    void thereIsNoPrefetcherWithoutFlinksHeapBackend() {
        assertThat(HeapStatePrefetch.of(null, descriptor)).isNull();
    }
}

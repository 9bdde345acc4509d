package io.riffle.jobs.operators;

import io.riffle.modelops.features.EntityFeatureState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.AbstractHeapState;
import org.apache.flink.runtime.state.heap.CopyOnWriteStateMap;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.heap.StateMap;
import org.apache.flink.runtime.state.heap.StateTable;
import org.apache.flink.util.MathUtils;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Reads, for a chunk of keys, the memory Flink's heap state map will read to find each key's
 * state (the table slot, the entry, the stored key and its bytes, the state object), one key
 * after another in a short loop whose iterations do not depend on each other, so that the
 * processor overlaps their cache misses; Flink's own lookups of the same keys then find all of it
 * in the cache. Flink's {@code CopyOnWriteStateMap.get} does the same reads, but a lookup there is
 * a long dependent chain inside a long loop body (key context, key group, copy-on-write checks),
 * so the misses of one key and the next follow one another.
 *
 * <p>Only reads: it never changes the map, its entries or a state, and never throws on a key (a
 * key outside this subtask's key groups, or any field it cannot read, reads nothing). It reads
 * private fields of Flink's {@link CopyOnWriteStateMap} (the tables, the rehash index, an entry's
 * key, hash, next and state), located once; where they are not there ({@link #of} returns null),
 * nothing is prefetched and everything else works as before.
 */
final class HeapStatePrefetch {
    private static final VarHandle PRIMARY;
    private static final VarHandle SECONDARY;
    private static final VarHandle REHASH_INDEX;
    private static final VarHandle KEY;
    private static final VarHandle HASH;
    private static final VarHandle NEXT;
    private static final VarHandle STATE;

    static {
        VarHandle primary = null;
        VarHandle secondary = null;
        VarHandle rehashIndex = null;
        VarHandle key = null;
        VarHandle hash = null;
        VarHandle next = null;
        VarHandle state = null;
        try {
            Class<?> map = CopyOnWriteStateMap.class;
            Class<?> entry = Class.forName(map.getName() + "$StateMapEntry", false, map.getClassLoader());
            Class<?> entries = entry.arrayType();
            MethodHandles.Lookup m = MethodHandles.privateLookupIn(map, MethodHandles.lookup());
            MethodHandles.Lookup e = MethodHandles.privateLookupIn(entry, MethodHandles.lookup());
            primary = m.findVarHandle(map, "primaryTable", entries);
            secondary = m.findVarHandle(map, "incrementalRehashTable", entries);
            rehashIndex = m.findVarHandle(map, "rehashIndex", int.class);
            key = e.findVarHandle(entry, "key", Object.class);
            hash = e.findVarHandle(entry, "hash", int.class);
            next = e.findVarHandle(entry, "next", entry);
            state = e.findVarHandle(entry, "state", Object.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            primary = null;
        }
        PRIMARY = primary;
        SECONDARY = secondary;
        REHASH_INDEX = rehashIndex;
        KEY = key;
        HASH = hash;
        NEXT = next;
        STATE = state;
    }

    private final StateMap<?, ?, ?>[] maps;
    private final int keyGroupOffset;
    private final int numberOfKeyGroups;
    private final int namespaceHash = VoidNamespace.INSTANCE.hashCode();

    private HeapStatePrefetch(StateTable<?, ?, ?> table, int numberOfKeyGroups) {
        this.maps = table.getState();
        this.keyGroupOffset = table.getKeyGroupOffset();
        this.numberOfKeyGroups = numberOfKeyGroups;
    }

    /** A prefetcher of the value state {@code descriptor} names on {@code backend}, or null where there is none to make. */
    static HeapStatePrefetch of(KeyedStateBackend<?> backend, ValueStateDescriptor<?> descriptor) {
        if (PRIMARY == null || !(backend instanceof HeapKeyedStateBackend)) {
            return null;
        }
        try {
            Object state = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    descriptor);
            if (!(state instanceof AbstractHeapState<?, ?, ?> heap)) {
                return null;
            }
            StateTable<?, ?, ?> table = heap.getStateTable();
            for (StateMap<?, ?, ?> m : table.getState()) {
                if (!(m instanceof CopyOnWriteStateMap)) {
                    return null;
                }
            }
            return new HeapStatePrefetch(table, ((HeapKeyedStateBackend<?>) backend).getNumberOfKeyGroups());
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    /** The chunk's table slots, then entries, then stored keys (reused; emptied after each chunk). */
    private Object[] found = new Object[0];
    private Object[] states = new Object[0];
    private int[] hashes = new int[0];

    /**
     * Reads what finding each of {@code keys[0, n)}'s state will read, a stage at a time: every
     * key's table slot, then every slot's entry (its hash, key and state fields), then every stored
     * key and state object, then every stored key's bytes and the state's first fields. Each stage's
     * reads of one key do not wait for another's, so its cache misses overlap; one key's chain of
     * misses at a time (a whole lookup per key) overlapped far less. The sum means nothing.
     */
    long touch(Object[] keys, int n) {
        if (found.length < n) {
            found = new Object[n];
            states = new Object[n];
            hashes = new int[n];
        }
        // 1: each key's slot in its key group's table (the tables are small and mostly in the cache)
        for (int i = 0; i < n; i++) {
            found[i] = slot(keys[i], i);
        }
        // 2: each slot's chain up to the entry with the key's hash (an entry is a miss; most chains hold one)
        for (int i = 0; i < n; i++) {
            Object e = found[i];
            while (e != null && (int) HASH.get(e) != hashes[i]) {
                e = NEXT.get(e);
            }
            found[i] = e;
        }
        // 3: each entry's stored key and state objects
        long sum = 0;
        for (int i = 0; i < n; i++) {
            Object e = found[i];
            if (e != null) {
                Object stored = KEY.get(e);
                // (a String's hash field: the object only, not yet its bytes)
                sum += stored == null ? 0 : stored.hashCode();
                found[i] = stored;
                states[i] = STATE.get(e);
            }
        }
        // 4: each stored key's bytes (compared by the lookup) and each state's fields
        for (int i = 0; i < n; i++) {
            sum += found[i] instanceof String s ? s.length() : 0;
            sum += states[i] instanceof EntityFeatureState f ? f.size : 0;
            found[i] = null;
            states[i] = null;
        }
        return sum;
    }

    /** The first entry of the table slot {@code key} hashes to, or null; its hash into {@code hashes[i]}. */
    private Object slot(Object key, int i) {
        if (key == null) {
            return null;
        }
        int pos = KeyGroupRangeAssignment.assignToKeyGroup(key, numberOfKeyGroups) - keyGroupOffset;
        if (pos < 0 || pos >= maps.length) {
            return null;
        }
        Object map = maps[pos];
        int hash = MathUtils.bitMix(key.hashCode() ^ namespaceHash);
        hashes[i] = hash;
        Object[] primary = (Object[]) PRIMARY.get(map);
        Object[] table = (hash & (primary.length - 1)) >= (int) REHASH_INDEX.get(map)
                ? primary : (Object[]) SECONDARY.get(map);
        return table.length == 0 ? null : table[hash & (table.length - 1)];
    }
}

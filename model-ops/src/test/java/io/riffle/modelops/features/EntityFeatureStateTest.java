package io.riffle.modelops.features;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-array layout: the slot map packed two slots per long, entries after it, copies and equality. */
class EntityFeatureStateTest {

    @Test
    void theSlotMapKeepsEachSlotsEntryApartFromItsNeighbour() {
        Random random = new Random(5);
        for (int slots : new int[] {1, 2, 3, 67, 1_001}) {
            EntityFeatureState s = new EntityFeatureState();
            s.layOut(slots, 4, 4, 0, 0, 2);
            int[] expected = new int[slots];
            java.util.Arrays.fill(expected, -1);
            for (int slot = 0; slot < slots; slot++) {
                assertThat(s.entryAt(slot)).isEqualTo(-1);
            }
            for (int i = 0; i < 5_000; i++) {
                int slot = random.nextInt(slots);
                // entry indices up to the largest an int holds (one more is stored)
                int e = random.nextInt(4) == 0 ? Integer.MAX_VALUE - 1 - random.nextInt(3) : random.nextInt(200_000);
                s.setEntryAt(slot, e);
                expected[slot] = e;
                int other = random.nextInt(slots);
                assertThat(s.entryAt(other)).as("slot %d of %d", other, slots).isEqualTo(expected[other]);
            }
            for (int slot = 0; slot < slots; slot++) {
                assertThat(s.entryAt(slot)).isEqualTo(expected[slot]);
            }
            // the entries begin right after the map, whatever the slots' count is
            assertThat(s.entryBase(0)).isEqualTo((slots + 1) / 2);
            assertThat(s.entryBase(1) - s.entryBase(0)).isEqualTo(2 + 4 + 4);
            assertThat(s.capacity()).isEqualTo(2);
        }
    }

    @Test
    void aCopySharesNoArrayAndEqualityIgnoresSpareRoomAndEntryOrder() {
        EntityFeatureState a = new EntityFeatureState();
        a.layOut(5, 1, 0, 2, 1, 4);
        EntityFeatureState b = new EntityFeatureState();
        b.layOut(5, 1, 0, 2, 1, 2);
        // slot 3 holds bucket 7, slot 0 bucket 9: a in that order, b the other way round
        put(a, 0, 3, 7, 2);
        put(a, 1, 0, 9, 1);
        put(b, 0, 0, 9, 1);
        put(b, 1, 3, 7, 2);
        assertThat(a).isEqualTo(b);
        EntityFeatureState copy = a.copy();
        assertThat(copy).isEqualTo(a);
        assertThat(copy.data).isNotSameAs(a.data);
        copy.data[copy.entryBase(0) + 1]++;
        assertThat(copy).isNotEqualTo(a);
        // a top-N key is compared only where its counter holds a value (slot 0's bucket: a's entry 1, b's entry 0)
        b.data[b.entryBase(0) + 5] = 12345;
        assertThat(a).isEqualTo(b);
        a.data[a.entryBase(1) + 3] = 1;
        b.data[b.entryBase(0) + 3] = 1;
        assertThat(a).isNotEqualTo(b);
        a.data[a.entryBase(1) + 5] = 12345;
        assertThat(a).isEqualTo(b);
    }

    /**
     * warm() only reads: on a state never laid out, one with entries, a full list of recent ids
     * (the next id's slot is past its end) and a large one, it stays within the arrays and leaves
     * the state as it was.
     */
    @Test
    void warmingReadsWithinTheArraysAndChangesNothing() {
        EntityFeatureState empty = new EntityFeatureState();
        assertThat(empty.warm()).isZero();
        assertThat(empty).isEqualTo(new EntityFeatureState());

        EntityFeatureState s = new EntityFeatureState();
        s.layOut(5, 1, 0, 2, 1, 4);
        put(s, 0, 3, 7, 2);
        put(s, 1, 0, 9, 1);
        s.recent = new long[] {11, 100, 12, 101};
        s.recentCount = 2;
        EntityFeatureState before = s.copy();
        s.warm();
        assertThat(s).isEqualTo(before);

        EntityFeatureState big = new EntityFeatureState();
        big.layOut(4000, 4, 4, 0, 0, 600);
        big.size = 600;
        big.recent = new long[2048];
        big.recentCount = 1024;
        big.recent[2047] = 5;
        assertThat(big.warm()).isEqualTo(5);
    }

    /** Entry e of s in slot, holding bucket with count events. */
    private static void put(EntityFeatureState s, int e, int slot, long bucket, long count) {
        s.setEntryAt(slot, e);
        s.data[s.entryBase(e)] = bucket;
        s.data[s.entryBase(e) + 1] = count;
        s.data[s.entryBase(e) + 2] = Double.doubleToRawLongBits(count * 1.5);
        s.size = Math.max(s.size, e + 1);
    }
}

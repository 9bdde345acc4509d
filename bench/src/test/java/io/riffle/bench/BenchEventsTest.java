package io.riffle.bench;

import io.riffle.schemas.Transaction;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench's synthetic events: the same ids as the format strings they were written with before. */
class BenchEventsTest {

    @Test
    void zeroPaddedWritesWhatTheFormatWouldForEveryWidthAndValue() {
        Random random = new Random(11);
        long[] edges = {0, 1, 9, 10, 99_999_999L, 100_000_000L, 9_999_999_999L, 10_000_000_000L, Long.MAX_VALUE, -1,
                -42, Long.MIN_VALUE};
        for (long v : edges) {
            assertThat(BenchEvents.zeroPadded("card-", v, 10, "")).isEqualTo(String.format("card-%010d", v));
            assertThat(BenchEvents.zeroPadded("m-", v, 8, "-store-eu")).isEqualTo(String.format("m-%08d-store-eu", v));
        }
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextInt(Integer.MAX_VALUE);
            assertThat(BenchEvents.zeroPadded("card-", v, 10, "")).isEqualTo(String.format("card-%010d", v));
            long m = random.nextInt(50_000);
            assertThat(BenchEvents.zeroPadded("m-", m, 8, "-store-eu")).isEqualTo(String.format("m-%08d-store-eu", m));
        }
    }

    @Test
    void anEventsCardAndMerchantAreTheFormattedOnes() {
        for (long i = 0; i < 1_000; i++) {
            Transaction t = BenchEvents.event('t', i, 1_700_000_000_000L, 100_000);
            assertThat(t.getCardId().toString()).matches("card-\\d{10}");
            assertThat(Long.parseLong(t.getCardId().toString().substring(5))).isBetween(0L, 99_999L);
            assertThat(t.getMerchantId().toString()).matches("m-\\d{8}-store-eu");
            assertThat(t.getEventId().toString()).isEqualTo("t" + i);
        }
    }
}

package io.riffle.modelops.features;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimeBoundsTest {

    private static final long KAFKA = 1_764_000_000_000L;
    private final EventTimeBounds bounds = new EventTimeBounds("eventTime", Duration.ofHours(1), Duration.ZERO);

    @Test
    void acceptsPastTimesAndTheFutureUpToTheBound() {
        assertThat(bounds.violation(KAFKA, KAFKA)).isNull();
        assertThat(bounds.violation(1, KAFKA)).as("no max-age: a replay of any history").isNull();
        assertThat(bounds.violation(KAFKA + 3_600_000L, KAFKA)).isNull();
    }

    @Test
    void refusesNonPositiveAndFarFutureTimesNamingFieldAndValue() {
        assertThat(bounds.violation(0, KAFKA)).contains("'eventTime' is 0").contains("not after 1970");
        assertThat(bounds.violation(-5, KAFKA)).contains("'eventTime' is -5");
        assertThat(bounds.violation(Long.MIN_VALUE, KAFKA)).contains("'eventTime'");
        assertThat(bounds.violation(KAFKA + 3_600_001L, KAFKA)).contains("'eventTime' is " + (KAFKA + 3_600_001L))
                .contains("1h after the record's Kafka timestamp").contains("max-future");
        assertThat(bounds.violation(Long.MAX_VALUE, KAFKA)).contains("max-future");
    }

    @Test
    void aMaxAgeRefusesOlderTimesAndNoKafkaTimestampMeansTheClock() {
        EventTimeBounds aged = new EventTimeBounds("t", Duration.ofHours(1), Duration.ofDays(7));
        assertThat(aged.violation(KAFKA - Duration.ofDays(7).toMillis(), KAFKA)).isNull();
        assertThat(aged.violation(KAFKA - Duration.ofDays(8).toMillis(), KAFKA)).contains("7d before").contains("max-age");
        long now = System.currentTimeMillis();
        assertThat(bounds.violation(now, -1)).isNull();
        assertThat(bounds.violation(now + Duration.ofDays(1).toMillis(), -1)).contains("after the clock");
    }
}

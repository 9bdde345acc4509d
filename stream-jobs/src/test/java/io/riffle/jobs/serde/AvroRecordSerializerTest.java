package io.riffle.jobs.serde;

import io.riffle.modelops.spec.OutputTimestamp;
import io.riffle.schemas.Decision;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Output records get the time they are written by default (no timestamp: the producer stamps
 * its clock), so Kafka's retention never deletes the fresh scores of a replayed month-old event.
 */
class AvroRecordSerializerTest {
    static final long EVENT = 1_700_000_000_000L;
    static final long INGEST = EVENT + 5_000;

    @BeforeAll
    static void allow() {
        AvroClassAllowList.allowRiffleRecords();
    }

    static Score score() {
        return new Score("e-1", "card-1", EVENT, INGEST, INGEST + 20, 20L, List.of(), Decision.ALLOW, List.of());
    }

    static ProducerRecord<byte[], byte[]> write(OutputTimestamp stamp, AvroRecordSerializer.IngestTimeOf<Score> ingest,
                                                 Long flinkTimestamp) {
        return new AvroRecordSerializer<>("scores", Score.class, Score::getEventId, stamp, ingest)
                .serialize(score(), null, flinkTimestamp);
    }

    @Test
    void writeTimeByDefaultWhateverTheEventsTime() {
        assertThat(new AvroRecordSerializer<>("scores", Score.class, Score::getEventId).serialize(score(), null, EVENT)
                .timestamp()).isNull();
        assertThat(write(OutputTimestamp.WRITE_TIME, Score::getIngestTime, EVENT).timestamp()).isNull();
    }

    @Test
    void ingestOrEventTimeWhenConfigured() {
        assertThat(write(OutputTimestamp.INGEST_TIME, Score::getIngestTime, EVENT).timestamp()).isEqualTo(INGEST);
        assertThat(write(OutputTimestamp.INGEST_TIME, null, EVENT).timestamp()).as("a record with no ingest time").isNull();
        assertThat(write(OutputTimestamp.EVENT_TIME, Score::getIngestTime, EVENT).timestamp()).isEqualTo(EVENT);
        assertThat(write(OutputTimestamp.EVENT_TIME, null, Long.MIN_VALUE).timestamp())
                .as("Flink's 'no timestamp' is not a Kafka timestamp").isNull();
        assertThat(write(OutputTimestamp.EVENT_TIME, null, null).timestamp()).isNull();
    }
}

package io.riffle.jobs.serde;

import io.riffle.modelops.spec.DataFormat;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class EventDeserializerTest {

    static Transaction transaction() {
        return Transaction.newBuilder().setEventId("e-1").setCardId("c-1").setMerchantId("m-1").setAmount(9.5)
                .setCurrency("EUR").setCountry("DE").setChannel("POS").setMerchantCategory("grocery")
                .setEventTime(1_700_000_000_000L).build();
    }

    static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("riffle.events", 1, offset, 123L, TimestampType.CREATE_TIME, 0, value.length,
                "k".getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), Optional.empty());
    }

    static List<DecodedEvent> decode(EventDeserializer d, ConsumerRecord<byte[], byte[]> r) {
        List<DecodedEvent> out = new ArrayList<>();
        d.deserialize(r, new Collector<>() {
            @Override
            public void collect(DecodedEvent record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    @Test
    void decodesAvroWithTheKafkaTimestampAsIngestTime() {
        byte[] bytes = AvroSerde.of(Transaction.class).encode(transaction());
        List<DecodedEvent> out = decode(new EventDeserializer(DataFormat.AVRO), record(5, bytes));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isDeadLetter()).isFalse();
        assertThat(out.get(0).event).isEqualTo(transaction());
        assertThat(out.get(0).ingestTime).isEqualTo(123L);
    }

    @Test
    void decodesJson() {
        String json = "{\"eventId\":\"e-1\",\"cardId\":\"c-1\",\"merchantId\":\"m-1\",\"amount\":9.5,\"currency\":\"EUR\","
                + "\"country\":\"DE\",\"channel\":\"POS\",\"merchantCategory\":\"grocery\",\"eventTime\":1700000000000}";
        List<DecodedEvent> out = decode(new EventDeserializer(DataFormat.JSON),
                record(5, json.getBytes(StandardCharsets.UTF_8)));
        assertThat(out.get(0).event).isEqualTo(transaction());
    }

    @Test
    void undecodableRecordsBecomeDeadLettersNamingRecordAndCause() {
        List<DecodedEvent> out = decode(new EventDeserializer(DataFormat.AVRO),
                record(42, "garbage".getBytes(StandardCharsets.UTF_8)));
        assertThat(out).hasSize(1);
        DecodedEvent d = out.get(0);
        assertThat(d.isDeadLetter()).isTrue();
        assertThat(d.deadLetter.getSourceTopic()).isEqualTo("riffle.events");
        assertThat(d.deadLetter.getPartition()).isEqualTo(1);
        assertThat(d.deadLetter.getOffset()).isEqualTo(42L);
        assertThat(d.deadLetter.getErrorMessage()).contains("Transaction").contains("riffle.events/1@42");
        assertThat(StandardCharsets.UTF_8.decode(d.deadLetter.getValue()).toString()).isEqualTo("garbage");

        String badJson = "{\"eventId\":\"e-1\",\"cardId\":\"c-1\",\"amount\":\"lots\"}";
        DecodedEvent j = decode(new EventDeserializer(DataFormat.JSON), record(7, badJson.getBytes(StandardCharsets.UTF_8))).get(0);
        assertThat(j.deadLetter.getErrorMessage()).contains("field 'merchantId'");
    }

    @Test
    void anEventWithoutItsEntityKeyIsADeadLetter() {
        Transaction t = transaction();
        t.setCardId("");
        DecodedEvent d = decode(new EventDeserializer(DataFormat.AVRO),
                record(3, AvroSerde.of(Transaction.class).encode(t))).get(0);
        assertThat(d.isDeadLetter()).isTrue();
        assertThat(d.deadLetter.getErrorMessage()).contains("cardId");
    }
}

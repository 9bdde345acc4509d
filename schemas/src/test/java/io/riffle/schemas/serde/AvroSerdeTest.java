package io.riffle.schemas.serde;

import io.riffle.schemas.Label;
import io.riffle.schemas.Transaction;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroSerdeTest {

    static Transaction transaction() {
        return Transaction.newBuilder()
                .setEventId("e-1").setCardId("c-1").setMerchantId("m-1").setAmount(12.5)
                .setCurrency("EUR").setCountry("DE").setChannel("POS").setMerchantCategory("grocery")
                .setEventTime(1_700_000_000_000L).build();
    }

    @Test
    void roundTripsWithFingerprintHeader() {
        AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
        byte[] bytes = serde.encode(transaction());
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(serde.decode(bytes)).isEqualTo(transaction());
    }

    /** The encoder is kept from record to record: one that failed half-way must leave nothing in it. */
    @Test
    void aRecordThatFailsHalfWayLeavesNothingBehindForTheNext() {
        AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
        byte[] expected = AvroSerde.of(Transaction.class).encode(transaction());
        assertThat(serde.encode(transaction())).isEqualTo(expected);
        Transaction broken = transaction();
        broken.setCountry(null);          // after eventId, cardId, merchantId, amount and currency
        assertThatThrownBy(() -> serde.encode(broken)).isInstanceOf(RuntimeException.class);
        assertThat(serde.encode(transaction())).isEqualTo(expected);
        assertThat(serde.encode(transaction())).isEqualTo(expected);
    }

    @Test
    void readerResolvesAnOlderWriterSchema() {
        // An older Label without labelTime: the current reader fills... nothing, so an older
        // schema must lack only fields the reader can default. Simulate an older Transaction
        // writer that had no merchantCategory by giving the field a default in the reader view.
        Schema older = SchemaBuilder.record("Label").namespace("io.riffle.schemas").fields()
                .requiredString("eventId").requiredInt("label").requiredLong("labelTime")
                .optionalString("comment").endRecord();
        GenericRecord old = new GenericData.Record(older);
        old.put("eventId", "e-7");
        old.put("label", 1);
        old.put("labelTime", 42L);
        old.put("comment", "chargeback");
        byte[] bytes = encode(older, old);

        AvroSerde<Label> reader = AvroSerde.of(Label.class);
        assertThatThrownBy(() -> reader.decode(bytes)).isInstanceOf(SerdeException.class)
                .hasMessageContaining("Label");
        Label label = reader.addWriterSchema(older).decode(bytes);
        assertThat(label.getEventId()).isEqualTo("e-7");
        assertThat(label.getLabel()).isEqualTo(1);
        assertThat(label.getLabelTime()).isEqualTo(42L);
    }

    @Test
    void corruptBytesGiveAnErrorNamingTheType() {
        AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
        byte[] good = serde.encode(transaction());
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> serde.decode(truncated)).isInstanceOf(SerdeException.class)
                .hasMessageContaining("Transaction");
        assertThatThrownBy(() -> serde.decode("not avro".getBytes())).isInstanceOf(SerdeException.class)
                .hasMessageContaining("Transaction");
        assertThatThrownBy(() -> serde.decode(null)).isInstanceOf(SerdeException.class)
                .hasMessageContaining("null");
    }

    private static byte[] encode(Schema schema, GenericRecord record) {
        try {
            var buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

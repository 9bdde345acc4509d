package io.riffle.jobs.serde;

import io.riffle.modelops.spec.DataFormat;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Label;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
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

/** The label join's two source deserializers: labels (Avro, JSON, bad input) and feature vectors. */
class LabelDeserializerTest {

    static ConsumerRecord<byte[], byte[]> record(String topic, long offset, byte[] value) {
        return new ConsumerRecord<>(topic, 2, offset, 123L, TimestampType.CREATE_TIME, 0,
                value == null ? 0 : value.length, "k".getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(),
                Optional.empty());
    }

    static <T> List<T> decode(org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema<T> d,
                              ConsumerRecord<byte[], byte[]> r) throws Exception {
        List<T> out = new ArrayList<>();
        d.deserialize(r, new Collector<>() {
            @Override
            public void collect(T record) {
                out.add(record);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesAvroLabelsKeepingTheirRecord() throws Exception {
        Label label = new Label("e-1", 1, 1_700_000_000_000L, null);
        byte[] bytes = AvroSerde.of(Label.class).encode(label);
        List<DecodedLabel> out = decode(new LabelDeserializer(DataFormat.AVRO), record("riffle.labels", 9, bytes));
        assertThat(out).hasSize(1);
        DecodedLabel d = out.get(0);
        assertThat(d.isDeadLetter()).isFalse();
        assertThat(d.label).isEqualTo(label);
        assertThat(d.where()).isEqualTo("riffle.labels/2@9");
        assertThat(d.value).isEqualTo(bytes);
        assertThat(d.key).isEqualTo(utf8("k"));
    }

    @Test
    void decodesJsonLabelsWithNumericOrIsoTimes() throws Exception {
        LabelDeserializer json = new LabelDeserializer(DataFormat.JSON);
        DecodedLabel numeric = decode(json, record("riffle.labels", 1,
                utf8("{\"eventId\":\"e-1\",\"label\":1,\"labelTime\":1700000000000}"))).get(0);
        assertThat(numeric.label).isEqualTo(new Label("e-1", 1, 1_700_000_000_000L, null));
        DecodedLabel iso = decode(json, record("riffle.labels", 2,
                utf8("{\"eventId\":\"e-2\",\"label\":\"0\",\"labelTime\":\"2023-11-14T22:13:20Z\"}"))).get(0);
        assertThat(iso.label).isEqualTo(new Label("e-2", 0, 1_700_000_000_000L, null));
    }

    @Test
    void badLabelsBecomeDeadLettersNamingRecordAndField() throws Exception {
        DecodedLabel garbage = decode(new LabelDeserializer(DataFormat.AVRO),
                record("riffle.labels", 42, utf8("garbage"))).get(0);
        assertThat(garbage.isDeadLetter()).isTrue();
        assertThat(garbage.deadLetter.getSourceTopic()).isEqualTo("riffle.labels");
        assertThat(garbage.deadLetter.getOffset()).isEqualTo(42L);
        assertThat(garbage.deadLetter.getErrorMessage()).contains("Label").contains("riffle.labels/2@42");
        assertThat(StandardCharsets.UTF_8.decode(garbage.deadLetter.getValue()).toString()).isEqualTo("garbage");

        LabelDeserializer json = new LabelDeserializer(DataFormat.JSON);
        DecodedLabel missing = decode(json, record("riffle.labels", 5, utf8("{\"eventId\":\"e-1\",\"labelTime\":5}"))).get(0);
        assertThat(missing.deadLetter.getErrorMessage()).contains("field 'label'").contains("riffle.labels/2@5");
        DecodedLabel wrongType = decode(json, record("riffle.labels", 6,
                utf8("{\"eventId\":\"e-1\",\"label\":\"fraud\",\"labelTime\":5}"))).get(0);
        assertThat(wrongType.deadLetter.getErrorMessage()).contains("field 'label'");
        DecodedLabel notJson = decode(json, record("riffle.labels", 7, utf8("{nope"))).get(0);
        assertThat(notJson.deadLetter.getErrorMessage()).contains("Label").contains("JSON");

        DecodedLabel emptyId = decode(new LabelDeserializer(DataFormat.AVRO), record("riffle.labels", 8,
                AvroSerde.of(Label.class).encode(new Label("", 1, 5L, null)))).get(0);
        assertThat(emptyId.deadLetter.getErrorMessage()).contains("Label field 'eventId'");

        DecodedLabel tombstone = decode(json, record("riffle.labels", 9, null)).get(0);
        assertThat(tombstone.deadLetter.getErrorMessage()).contains("null").contains("riffle.labels/2@9");
    }

    @Test
    void decodesFeatureVectorsAndDeadLettersTheRest() throws Exception {
        FeatureVector v = new FeatureVector("e-1", "c-1", 1L, 2L, "spec", List.of(1f, 2f), null);
        FeatureVectorDeserializer d = new FeatureVectorDeserializer();
        DecodedFeatureVector good = decode(d, record("riffle.features", 1, AvroSerde.of(FeatureVector.class).encode(v))).get(0);
        assertThat(good.isDeadLetter()).isFalse();
        assertThat(good.vector).isEqualTo(v);

        DecodedFeatureVector bad = decode(d, record("riffle.features", 3, utf8("garbage"))).get(0);
        assertThat(bad.isDeadLetter()).isTrue();
        assertThat(bad.deadLetter.getErrorMessage()).contains("FeatureVector").contains("riffle.features/2@3");

        v.setEventId("");
        DecodedFeatureVector noId = decode(d, record("riffle.features", 4, AvroSerde.of(FeatureVector.class).encode(v))).get(0);
        assertThat(noId.deadLetter.getErrorMessage()).contains("FeatureVector field 'eventId'");
    }

    @Test
    void decodedRecordsArePojosNotKryoGenerics() {
        assertThat(TypeInformation.of(DecodedLabel.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(DecodedFeatureVector.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void jsonLabelsMayUseTheirOwnFieldNamesAndOmitTheLabelTime() throws Exception {
        LabelDeserializer json = new LabelDeserializer(DataFormat.JSON, "txn", "is_fraud");
        DecodedLabel ok = decode(json, record("labels", 4, utf8("{\"txn\":\"e-9\",\"is_fraud\":1}"))).get(0);
        assertThat(ok.deadLetter).isNull();
        assertThat(ok.label.getEventId()).isEqualTo("e-9");
        assertThat(ok.label.getLabel()).isEqualTo(1);
        assertThat(ok.label.getLabelTime()).as("the Kafka timestamp").isEqualTo(123L);

        DecodedLabel withTime = decode(json, record("labels", 5,
                utf8("{\"txn\":\"e-9\",\"is_fraud\":0,\"labelTime\":77}"))).get(0);
        assertThat(withTime.label.getLabelTime()).isEqualTo(77L);

        DecodedLabel missing = decode(json, record("labels", 6, utf8("{\"eventId\":\"e-9\",\"is_fraud\":1}"))).get(0);
        assertThat(missing.deadLetter.getErrorMessage()).contains("'txn'").contains("labels/2@6");
        DecodedLabel notANumber = decode(json, record("labels", 7, utf8("{\"txn\":\"e-9\",\"is_fraud\":\"yes\"}"))).get(0);
        assertThat(notANumber.deadLetter.getErrorMessage()).contains("label").contains("yes");
    }
}

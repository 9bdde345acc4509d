package io.riffle.schemas.serde;

import io.riffle.schemas.Label;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Transaction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonRecordDecoderTest {
    private final JsonRecordDecoder<Transaction> transactions = JsonRecordDecoder.of(Transaction.class);

    private static byte[] json(String s) {
        return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesAPlainJsonEvent() {
        Transaction t = transactions.decode(json("{'eventId':'e-1','cardId':'c-1','merchantId':'m-1','amount':12.5,"
                + "'currency':'EUR','country':'DE','channel':'POS','merchantCategory':'grocery','eventTime':1700000000000}"));
        assertThat(t).isEqualTo(AvroSerdeTest.transaction());
    }

    @Test
    void coercesWhereLossless() {
        Transaction t = transactions.decode(json("{'eventId':7,'cardId':'c-1','merchantId':'m-1','amount':'12.5',"
                + "'currency':'EUR','country':'DE','channel':'POS','merchantCategory':'grocery',"
                + "'eventTime':'2023-11-14T22:13:20Z'}"));
        assertThat(t.getEventId()).isEqualTo("7");
        assertThat(t.getAmount()).isEqualTo(12.5);
        assertThat(t.getEventTime()).isEqualTo(1_700_000_000_000L);

        Label label = JsonRecordDecoder.of(Label.class).decode(json("{'eventId':'e','label':1.0,'labelTime':5}"));
        assertThat(label.getLabel()).isEqualTo(1);
    }

    @Test
    void missingFieldsTakeDefaults() {
        ModelVersion mv = JsonRecordDecoder.of(ModelVersion.class).decode(json(
                "{'name':'fraud','version':3,'task':'BINARY','sha256':'ab','featureCount':4,'createdAt':1}"));
        assertThat(mv.getPositiveIndex()).isEqualTo(1);
        assertThat(mv.getReviewThreshold()).isEqualTo(0.5);
        assertThat(mv.getOnnx()).isNull();
        assertThat(mv.getFeatureNames()).isEmpty();
    }

    @Test
    void errorsNameTheFieldAndWhatWasExpected() {
        assertThatThrownBy(() -> transactions.decode(json("{'eventId':'e','cardId':'c','merchantId':'m','amount':'lots',"
                + "'currency':'EUR','country':'DE','channel':'POS','merchantCategory':'g','eventTime':1}")))
                .isInstanceOf(SerdeException.class)
                .hasMessageContaining("field 'amount'").hasMessageContaining("expected a number").hasMessageContaining("lots");
        assertThatThrownBy(() -> transactions.decode(json("{'eventId':'e'}")))
                .hasMessageContaining("field 'cardId' is required but missing");
        assertThatThrownBy(() -> JsonRecordDecoder.of(Label.class).decode(json("{'eventId':'e','label':1.5,'labelTime':1}")))
                .hasMessageContaining("field 'label'").hasMessageContaining("whole number");
        assertThatThrownBy(() -> transactions.decode(json("[1,2]"))).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> transactions.decode(json("{not json"))).hasMessageContaining("from JSON");
        assertThatThrownBy(() -> JsonRecordDecoder.of(ModelVersion.class).decode(json(
                "{'name':'f','version':1,'task':'REGRESSION','sha256':'a','featureCount':1,'createdAt':1}")))
                .hasMessageContaining("field 'task'").hasMessageContaining("BINARY");
    }
}

package io.riffle.schemas.serde;

import io.riffle.schemas.ClassScore;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.Score;
import io.riffle.schemas.Transaction;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The serde's own buffered encoder writes exactly what Avro's single-object encoder writes. */
class AvroSerdeBytesTest {

    private static <T extends SpecificRecordBase> byte[] avros(T value) throws Exception {
        SpecificData model = SpecificData.getForClass(value.getClass());
        ByteBuffer b = new BinaryMessageEncoder<T>(model, value.getSchema()).encode(value);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static Score score(int models, String reason) {
        List<ModelScore> ms = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            ms.add(ModelScore.newBuilder().setName("m" + i).setVersion(i + 1).setTask(i % 2 == 0 ? ModelTask.BINARY : ModelTask.MULTICLASS)
                    .setRole(ModelRole.SHADOW).setValue(i / 7f)
                    .setTopK(i % 2 == 0 ? null : List.of(ClassScore.newBuilder().setLabel("ü-item-" + i).setProbability(0.5f).build()))
                    .build());
        }
        return Score.newBuilder().setEventId("e-" + reason).setEntityId("card-é").setEventTime(-5).setIngestTime(Long.MAX_VALUE)
                .setScoreTime(1_700_000_000_123L).setLatencyMs(0).setModels(ms).setDecision(Decision.BLOCK)
                .setReasons(List.of(reason, reason.repeat(50))).build();
    }

    @Test
    void bytesAreAvrosOwnForEveryShapeAndTheBufferIsReusedCleanly() throws Exception {
        AvroSerde<Score> serde = AvroSerde.of(Score.class);
        for (Score s : List.of(score(3, "x"), score(0, ""), score(40, "a long reason"), score(1, "y"))) {
            byte[] ours = serde.encode(s);
            assertThat(ours).isEqualTo(avros(s));
            assertThat(serde.decode(ours)).isEqualTo(s);
        }
        AvroSerde<Transaction> tx = AvroSerde.of(Transaction.class);
        Transaction t = Transaction.newBuilder().setEventId("1").setCardId("c").setMerchantId("m").setAmount(12.5)
                .setCurrency("EUR").setCountry("DE").setChannel("WEB").setMerchantCategory("food").setEventTime(7).build();
        assertThat(tx.encode(t)).isEqualTo(avros(t));
        assertThat(tx.decode(avros(t))).isEqualTo(t);
    }
}

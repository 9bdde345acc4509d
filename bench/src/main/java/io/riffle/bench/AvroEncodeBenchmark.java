package io.riffle.bench;

import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the scorer writes per event, encoded two ways: Avro's own single-object encoder (a
 * thread-local, synchronized {@code ByteArrayOutputStream} write per field) and {@link AvroSerde}
 * (buffered, the same bytes). Run with {@code java -cp "bench/target/riffle-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
 * org.openjdk.jmh.Main AvroEncodeBenchmark} after {@code mvn -DskipTests package}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroEncodeBenchmark {
    private Score score;
    private FeatureVector vector;
    private BinaryMessageEncoder<Score> avroScores;
    private BinaryMessageEncoder<FeatureVector> avroVectors;
    private AvroSerde<Score> scores;
    private AvroSerde<FeatureVector> vectors;

    @Setup
    public void setup() {
        score = Score.newBuilder().setEventId("evt-000123456").setEntityId("card-012345").setEventTime(1_700_000_000_000L)
                .setIngestTime(1_700_000_000_001L).setScoreTime(1_700_000_000_020L).setLatencyMs(19)
                .setModels(List.of(model("anomaly", ModelTask.ANOMALY, 0.42f), model("fraud", ModelTask.BINARY, 0.01f)))
                .setDecision(Decision.ALLOW).setReasons(List.of()).build();
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < 46; i++) {
            values.add(i * 0.37f);
        }
        vector = FeatureVector.newBuilder().setEventId("evt-000123456").setEntityId("card-012345")
                .setEventTime(1_700_000_000_000L).setIngestTime(1_700_000_000_001L)
                .setSpecHash("86fa53223eedda653a92c0240714d5470891a01459e500c0986a10078fb24fa4").setValues(values)
                .setLabelValue(null).build();
        scores = AvroSerde.of(Score.class);
        vectors = AvroSerde.of(FeatureVector.class);
        scores.schema();   // the serde turns on the generated classes' own coders, as the jobs run them
        vectors.schema();
        avroScores = new BinaryMessageEncoder<>(SpecificData.getForClass(Score.class), Score.getClassSchema());
        avroVectors = new BinaryMessageEncoder<>(SpecificData.getForClass(FeatureVector.class),
                FeatureVector.getClassSchema());
    }

    private static ModelScore model(String name, ModelTask task, float value) {
        return ModelScore.newBuilder().setName(name).setVersion(3).setTask(task).setRole(ModelRole.CHAMPION)
                .setValue(value).setTopK(null).build();
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Benchmark
    public byte[] scoreAvro() throws Exception {
        return copy(avroScores.encode(score));
    }

    @Benchmark
    public byte[] scoreSerde() {
        return scores.encode(score);
    }

    @Benchmark
    public byte[] featuresAvro() throws Exception {
        return copy(avroVectors.encode(vector));
    }

    @Benchmark
    public byte[] featuresSerde() {
        return vectors.encode(vector);
    }
}

package io.riffle.bench;

import io.riffle.modelops.decode.DecodedEvent;
import io.riffle.modelops.decode.EventDecoder;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.Score;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the jobs read per event, decoded two ways: Avro's own single-object decoder (the body read
 * byte by byte through a synchronized {@code ByteArrayInputStream}) and Riffle's (the body decoded
 * from the array as it is): a bench event as the events source decodes it ({@link EventDecoder},
 * which also reads and checks its key, id and time), and a Score as the dashboard and the bench's
 * audit read them ({@link AvroSerde}). Run with {@code java -cp "bench/target/riffle-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)"
 * org.openjdk.jmh.Main AvroDecodeBenchmark} after {@code mvn -DskipTests package}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AvroDecodeBenchmark {
    private static final long TIME = 1_700_000_000_000L;

    private byte[] event;
    private byte[] score;
    private BinaryMessageDecoder<GenericRecord> avroEvents;
    private EventDecoder events;
    private BinaryMessageDecoder<Score> avroScores;
    private AvroSerde<Score> scores;

    @Setup
    public void setup() {
        Transaction t = BenchEvents.event('e', 123_456, TIME);
        event = AvroSerde.of(Transaction.class).encode(t);
        events = EventDecoder.of(BenchPipeline.spec());
        events.open();
        avroEvents = new BinaryMessageDecoder<>(GenericData.get(), events.schema());
        DecodedEvent check = events.decode(null, event, TIME);
        if (check.isRefused()) {
            throw new IllegalStateException("the bench's event does not decode: " + check.message());
        }
        scores = AvroSerde.of(Score.class);
        score = scores.encode(Score.newBuilder().setEventId("e123456").setEntityId("card-0000012345").setEventTime(TIME)
                .setIngestTime(TIME + 1).setScoreTime(TIME + 20).setLatencyMs(19)
                .setModels(List.of(model("anomaly", ModelTask.ANOMALY, 0.42f), model("fraud", ModelTask.BINARY, 0.01f)))
                .setDecision(Decision.ALLOW).setReasons(List.of()).build());
        avroScores = new BinaryMessageDecoder<>(SpecificData.getForClass(Score.class), Score.getClassSchema());
    }

    private static ModelScore model(String name, ModelTask task, float value) {
        return ModelScore.newBuilder().setName(name).setVersion(3).setTask(task).setRole(ModelRole.CHAMPION)
                .setValue(value).setTopK(null).build();
    }

    @Benchmark
    public GenericRecord eventAvro() throws Exception {
        return avroEvents.decode(event);
    }

    @Benchmark
    public DecodedEvent eventDecoder() {
        return events.decode(null, event, TIME);
    }

    @Benchmark
    public Score scoreAvro() throws Exception {
        return avroScores.decode(score);
    }

    @Benchmark
    public Score scoreSerde() {
        return scores.decode(score);
    }
}

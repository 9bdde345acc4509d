package io.riffle.bench;

import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.serde.DecodedRecordSerializer;
import io.riffle.jobs.serde.EntityKeyTypeInfo;
import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scoring job's keyed operator alone, as its task thread runs it: {@link BatchingScorer} with
 * the bench pipeline's {@link SpecFeatureRows} on Flink's heap state backend (in the operator test
 * harness, its outputs counted as a chained sink would take them), over as many cards as a
 * throughput phase. One invocation is one batch of events: for each, its decoding from the keyed
 * shuffle's bytes (a fresh object, as the network input gives it), Flink's key context, the
 * card's state lookup, duplicate check, 46 features and update, then both models and one Score
 * per event. No Kafka, no network, no other thread: what {@code riffle bench} cannot tell apart
 * below its run-to-run noise, this can, e.g. {@code -p warmChunk=0,128} for the scorer's warm
 * chunk off and on. Time per event. Run with {@code java -cp
 * "bench/target/riffle-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main
 * KeyedScorerBenchmark} after {@code mvn -DskipTests package}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KeyedScorerBenchmark {

    private static final int BATCH = 256;
    /** Events each card has had before measuring: about a throughput phase's (2,000,000 over 100,000). */
    private static final int EVENTS_PER_CARD = 20;
    /** Pre-built events cycled through; each use gets a fresh event id and a later event time. */
    private static final int EVENTS = 1 << 18;
    /** Event time between two events: 200,000 events/s. */
    private static final double MS_PER_EVENT = 0.005;
    private static final long START = 1_700_000_000_000L;

    @Param({"100000"})
    public int entities;

    /** riffle.scoring.warm-chunk (default {@link SpecFeatureRows#DEFAULT_WARM_CHUNK}): 0 fills each event as it arrives. */
    @Param({"128"})
    public int warmChunk;

    private KeyedTwoInputStreamOperatorTestHarness<String, DecodedRecord, ModelVersion, Score> harness;
    private ScorerBenchmark.CountingOutput output;
    /** The events as the keyed shuffle carries them to the scorer ({@link DecodedRecordSerializer}), one after another. */
    private byte[] shuffled;
    private DecodedRecordSerializer serializer;
    private final DataInputDeserializer in = new DataInputDeserializer();
    private int idField;
    private long next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        AvroClassAllowList.allowRiffleRecords();
        PipelineSpec spec = BenchPipeline.spec();
        int n = spec.features().count();
        ScorerConfig config = new ScorerConfig(BATCH, 20, 1000, List.of(BenchModels.ANOMALY, BenchModels.FRAUD),
                new EngineOptions(DeviceRequest.cpu(), 1, 1, false), n, spec.features().hash(), "bench",
                DecisionPolicy.DEFAULT_ON_FAILURE, ModelPolicy.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES,
                Map.of(), null);
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                new BatchingScorer<>(config, SpecFeatureRows.of(spec, false).warmChunk(warmChunk)), d -> d.key,
                mv -> mv.getName().toString(), EntityKeyTypeInfo.INSTANCE);
        output = new ScorerBenchmark.CountingOutput();
        harness.setOutputCreator(serializer -> output);
        harness.setProcessingTime(0);
        harness.open();
        harness.processElement2(BenchModels.anomaly(1), 0);
        harness.processElement2(BenchModels.fraud(1), 0);
        serializer = new DecodedRecordSerializer(spec.eventSchema());
        idField = spec.eventSchema().getField(spec.events().idField()).pos();
        DataOutputSerializer out = new DataOutputSerializer(EVENTS * 128);
        for (int i = 0; i < EVENTS; i++) {
            Transaction t = BenchEvents.event('k', i, START, entities);
            serializer.serialize(DecodedRecord.of(t, t.getCardId().toString(), START, START, "bench", 0, i), out);
        }
        shuffled = out.getCopyOfBuffer();
        in.setBuffer(shuffled);
        long warm = (long) EVENTS_PER_CARD * entities;
        while (next < warm) {
            batch();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
    }

    /** One batch of events through the operator, which scores it when it is full (time per event). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batch() throws Exception {
        long before = output.records;
        for (int j = 0; j < BATCH; j++) {
            long i = next++;
            if (in.available() == 0) {
                in.setBuffer(shuffled);
            }
            // each event a fresh object from the shuffle's bytes, as the scorer's network input gives it
            DecodedRecord d = serializer.deserialize(in);
            long t = START + (long) (i * MS_PER_EVENT);
            // a fresh id, or the card's duplicate check would refuse the cycled events
            d.record.put(idField, "k" + i);
            d.eventTime = t;
            d.ingestTime = t;
            harness.processElement1(d, t);
        }
        return output.records - before + output.checksum;
    }
}

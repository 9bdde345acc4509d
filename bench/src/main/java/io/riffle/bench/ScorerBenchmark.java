package io.riffle.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The batching scoring path alone: one benchmark invocation is one batch of {@code batchSize}
 * feature vectors, scored by both models. {@link #operator} pushes them through
 * {@link BatchingScorer} (in Flink's operator test harness: unpacking the vectors, two ONNX
 * Runtime calls, one Score per record with decisions); {@link #rawOrt} calls ONNX Runtime
 * directly on the same rows, already flat, with a reused direct buffer. Rows/s = ops/s x
 * batchSize; operator / raw is the operator's own overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScorerBenchmark {

    @Param({"1", "32", "256", "1024"})
    public int batchSize;

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> harness;
    private FeatureVector[] vectors;
    private int n;
    private long time;

    private OrtEnvironment env;
    private List<OrtSession> sessions;
    private float[] flat;
    private FloatBuffer input;
    private float[] out;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        AvroClassAllowList.allowRiffleRecords();
        List<ModelVersion> models = List.of(BenchModels.anomaly(1), BenchModels.fraud(1));
        FeatureExtractor extractor = FeatureExtractor.of(BenchPipeline.spec());
        String specHash = extractor.spec().hash();
        n = extractor.count();
        vectors = new FeatureVector[batchSize];
        flat = new float[batchSize * n];
        Map<String, EntityFeatureState> states = new HashMap<>();
        for (int i = 0; i < batchSize; i++) {
            Transaction t = BenchEvents.event('m', i, 1_700_000_000_000L + i * 10L);
            float[] f = extractor.extract(t, states.computeIfAbsent(t.getCardId(), k -> extractor.newState()));
            List<Float> values = new ArrayList<>(n);
            for (float v : f) {
                values.add(v);
            }
            System.arraycopy(f, 0, flat, i * n, n);
            vectors[i] = new FeatureVector(t.getEventId(), t.getCardId(), t.getEventTime(), t.getEventTime(),
                    specHash, values);
        }

        ScorerConfig config = new ScorerConfig(batchSize, 1, 1000, List.of(BenchModels.ANOMALY, BenchModels.FRAUD),
                EngineOptions.defaults(), n, specHash, "bench");
        harness = new TwoInputStreamOperatorTestHarness<>(BatchingScorer.ofVectors(config));
        harness.setProcessingTime(0);
        harness.open();
        for (ModelVersion mv : models) {
            harness.processElement2(mv, 0);
        }
        harness.getOutput().clear();

        env = OrtEnvironment.getEnvironment();
        sessions = new ArrayList<>();
        for (ModelVersion mv : models) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            sessions.add(env.createSession(ModelVersions.onnxBytes(mv), options));
        }
        input = ByteBuffer.allocateDirect(flat.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        out = new float[batchSize];
    }

    /** One full batch through the operator: it scores when the batch is full. */
    @Benchmark
    public int operator() throws Exception {
        for (FeatureVector v : vectors) {
            harness.processElement1(v, time);
        }
        int emitted = harness.getOutput().size();
        harness.getOutput().clear();
        // Fires the (now empty) batch timer, as the processing-time service does in a job.
        harness.setProcessingTime(time += 2);
        return emitted;
    }

    /** The same rows, both models, ONNX Runtime called directly. */
    @Benchmark
    public float rawOrt() throws Exception {
        float sum = 0;
        for (OrtSession session : sessions) {
            input.clear();
            input.put(flat);
            input.flip();
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {batchSize, n});
                 OrtSession.Result result = session.run(Map.of(OnnxGraphs.INPUT, tensor), Set.of(OnnxGraphs.OUTPUT))) {
                ((OnnxTensor) result.get(0)).getFloatBuffer().get(out, 0, batchSize);
                sum += out[batchSize - 1];
            }
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
        for (OrtSession s : sessions) {
            s.close();
        }
    }
}

package io.riffle.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.riffle.jobs.operators.BatchingScorer;
import io.riffle.jobs.operators.FeatureVectorRows;
import io.riffle.jobs.operators.ScorerConfig;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelPolicy;
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
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
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
 * {@link BatchingScorer} (in Flink's operator test harness, its output handed on uncopied as to a
 * chained sink: unpacking the vectors, two ONNX Runtime calls, one Score per record with
 * decisions); {@link #rawOrt} calls ONNX Runtime
 * directly on the same rows, already flat, with a reused direct buffer. Rows/s = ops/s x
 * batchSize; operator / raw is the operator's own overhead.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScorerBenchmark {

    @Param({"1", "32", "256", "1024"})
    public int batchSize;

    /** ONNX Runtime device of both paths: {@code cpu}, or {@code cuda[:N]} (the gpu build on a GPU host). */
    @Param({"cpu"})
    public String device;

    private TwoInputStreamOperatorTestHarness<FeatureVector, ModelVersion, Score> harness;
    private CountingOutput output;
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
                    specHash, values, null);
        }

        DeviceRequest onDevice = DeviceRequest.parse(device);
        EngineOptions engine = new EngineOptions(onDevice, 1, 1, false);
        // The operator's batch on either device is the benchmark's batch size.
        ScorerConfig config = new ScorerConfig(batchSize, 1, 1000, List.of(BenchModels.ANOMALY, BenchModels.FRAUD),
                engine, n, specHash, "bench", DecisionPolicy.DEFAULT_ON_FAILURE, ModelPolicy.defaults(),
                ModelLoader.DEFAULT_MAX_MODEL_BYTES, Map.of(), new ScorerConfig.BatchLimits(batchSize, 1));
        harness = new TwoInputStreamOperatorTestHarness<>(new BatchingScorer<>(config, new FeatureVectorRows(n, "bench")));
        output = new CountingOutput();
        harness.setOutputCreator(serializer -> output);
        harness.setProcessingTime(0);
        harness.open();
        for (ModelVersion mv : models) {
            harness.processElement2(mv, 0);
        }
        output.records = 0;

        env = OrtEnvironment.getEnvironment();
        sessions = new ArrayList<>();
        for (ModelVersion mv : models) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (onDevice.kind() != DeviceRequest.Kind.CPU) {
                // TF32 off, as the scorer's default: outputs within 2e-7 of the CPU's
                OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(onDevice.deviceId());
                cuda.add("use_tf32", "0");
                options.addCUDA(cuda);
            }
            sessions.add(env.createSession(ModelVersions.onnxBytes(mv), options));
        }
        input = ByteBuffer.allocateDirect(flat.length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        out = new float[batchSize];
    }

    /** One full batch through the operator: it scores when the batch is full. */
    @Benchmark
    public long operator() throws Exception {
        long before = output.records;
        for (FeatureVector v : vectors) {
            harness.processElement1(v, time);
        }
        // Fires the (now empty) batch timer, as the processing-time service does in a job.
        harness.setProcessingTime(time += 2);
        return output.records - before + output.checksum;
    }

    /**
     * What the chained sinks of the job receive: the scores themselves. (The test harness's own
     * output deep-copies every record, which would be counted as the operator's overhead.)
     */
    static final class CountingOutput implements Output<StreamRecord<Score>> {
        long records;
        long checksum;

        @Override
        public void collect(StreamRecord<Score> record) {
            records++;
            checksum += record.getValue().getModels().size();
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            checksum++;
        }

        @Override
        public void emitWatermark(Watermark mark) {}

        @Override
        public void emitWatermark(WatermarkEvent event) {}

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void close() {}
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

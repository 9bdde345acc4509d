package io.riffle.modelops.testing;

import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import ai.onnx.proto.OnnxMl;
import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small, reproducible ONNX models for tests (generated here, never committed as binaries), and
 * {@link #forward} — a plain-Java interpreter for the operators these graphs use — to check
 * ONNX Runtime's answers against.
 */
public final class TestModels {

    private TestModels() {}

    /**
     * A binary model {@code features -> 16 (Relu) -> 1 (Sigmoid)} with seeded Gaussian weights,
     * output {@code [batch, 1]}; ready to load with featureCount {@code features}.
     */
    public static ModelVersion binaryMlp(String name, int version, int features, long seed) {
        return ModelVersions.fromOnnx(mlp(seed, OutputActivation.SIGMOID, features, 16, 1), name, version,
                ModelTask.BINARY, features);
    }

    /**
     * An anomaly model: Gaussian with mean 0 and std 1 per feature, scale = {@code features}, so
     * a typical row scores about 0.5 and a far-out row close to 1. Output {@code [batch, 1]}.
     */
    public static ModelVersion anomaly(String name, int version, int features) {
        float[] mean = new float[features];
        float[] std = new float[features];
        java.util.Arrays.fill(std, 1f);
        return ModelVersions.fromOnnx(OnnxGraphs.gaussianAnomaly(mean, std, features), name, version,
                ModelTask.ANOMALY, features);
    }

    /** A dense network with seeded weights scaled by 1/sqrt(fan-in); {@code sizes} from input to output. */
    public static byte[] mlp(long seed, OutputActivation activation, int... sizes) {
        return mlpScaled(seed, activation, 1.0, sizes);
    }

    /** As {@link #mlp}, with every weight multiplied by {@code gain} (large gains overflow [0,1]). */
    public static byte[] mlpScaled(long seed, OutputActivation activation, double gain, int... sizes) {
        Random r = new Random(seed);
        float[][][] w = new float[sizes.length - 1][][];
        float[][] b = new float[sizes.length - 1][];
        for (int l = 0; l + 1 < sizes.length; l++) {
            double scale = gain / Math.sqrt(sizes[l]);
            w[l] = new float[sizes[l]][sizes[l + 1]];
            for (float[] row : w[l]) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = (float) (r.nextGaussian() * scale);
                }
            }
            b[l] = new float[sizes[l + 1]];
            for (int j = 0; j < b[l].length; j++) {
                b[l][j] = (float) (r.nextGaussian() * 0.1 * gain);
            }
        }
        return OnnxGraphs.denseNetwork(w, b, activation);
    }

    /** Binary model with a rank-1 output {@code [batch]}: Gemm, Sigmoid, ReduceSum(keepdims=0). */
    public static byte[] binaryRank1(int features, long seed) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("rank1");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String p = g.op("Sigmoid", g.op("Gemm", x, g.floats("W", randomFloats(seed, features), features, 1),
                g.floats("B", new float[] {0.1f}, 1)));
        String flat = g.op("ReduceSum", Map.of("keepdims", 0L), p, g.longs("axes", new long[] {1}, 1));
        g.output(flat, OnnxGraphs.OUTPUT, BATCH);
        return g.build();
    }

    /** A model whose output is NaN for every row: Sigmoid(ReduceSum(Log(x - 100))). */
    public static byte[] nanOutput(int features) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("nan");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String log = g.op("Log", g.op("Sub", x, g.scalar("hundred", 100f)));
        String s = g.op("Sigmoid", g.op("ReduceSum", Map.of("keepdims", 1L), log, g.longs("axes", new long[] {1}, 1)));
        g.output(s, OnnxGraphs.OUTPUT, BATCH, 1);
        return g.build();
    }

    /** A model whose output is +Inf for the zeros row: 1 / ReduceSum(x * x). */
    public static byte[] divideByZero(int features) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("div0");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String sq = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Mul", x, x), g.longs("axes", new long[] {1}, 1));
        g.output(g.op("Div", g.scalar("one", 1f), sq), OnnxGraphs.OUTPUT, BATCH, 1);
        return g.build();
    }

    /**
     * A model that passes validation (its golden batch scores in (0,1)) but fails on outliers:
     * {@code Sigmoid(ReduceSum(Log(1 + x/100))) + Relu(ReduceSum(x) - 1000) * 1e36}. NaN for a row
     * with a feature below -100 (the log of a negative number), +Infinity for a row whose features
     * sum to well above 1000 (the product overflows float); near 0.5 for ordinary rows.
     */
    public static ModelVersion failsOnOutliers(String name, int version, int features) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("outliers");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String axes = g.longs("axes", new long[] {1}, 1);
        String logs = g.op("Log", g.op("Add", g.op("Mul", x, g.scalar("percent", 0.01f)), g.scalar("one", 1f)));
        String p = g.op("Sigmoid", g.op("ReduceSum", Map.of("keepdims", 1L), logs, axes));
        String excess = g.op("Relu", g.op("Sub", g.op("ReduceSum", Map.of("keepdims", 1L), x, axes),
                g.scalar("limit", 1000f)));
        String out = g.op("Add", p, g.op("Mul", excess, g.scalar("huge", 1e36f)));
        g.output(out, OnnxGraphs.OUTPUT, BATCH, 1);
        return ModelVersions.fromOnnx(g.build(), name, version, ModelTask.BINARY, features);
    }

    /** A model with a fixed batch dimension of 1, which cannot be batched. */
    public static byte[] fixedBatch(int features) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("fixed");
        String x = g.input(OnnxGraphs.INPUT, 1, features);
        String s = g.op("Sigmoid", g.op("ReduceSum", Map.of("keepdims", 1L), x, g.longs("axes", new long[] {1}, 1)));
        g.output(s, OnnxGraphs.OUTPUT, 1, 1);
        return g.build();
    }

    /** A model with two inputs, so the input must be named. */
    public static byte[] twoInputs(int features) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("two");
        String a = g.input("a", BATCH, features);
        String b = g.input("b", BATCH, features);
        String s = g.op("Sigmoid", g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Add", a, b),
                g.longs("axes", new long[] {1}, 1)));
        g.output(s, OnnxGraphs.OUTPUT, BATCH, 1);
        return g.build();
    }

    /** Class labels {@code item-0 .. item-(k-1)}. */
    public static List<String> classLabels(int k) {
        List<String> labels = new java.util.ArrayList<>(k);
        for (int c = 0; c < k; c++) {
            labels.add("item-" + c);
        }
        return labels;
    }

    /**
     * A multiclass model {@code features -> 16 (Relu) -> k (Softmax)} with seeded weights, output
     * {@code [batch, k]} probabilities, labels {@link #classLabels}.
     */
    public static ModelVersion multiclassMlp(String name, int version, int features, int k, long seed) {
        return ModelVersion.newBuilder(ModelVersions.fromOnnx(mlp(seed, OutputActivation.SOFTMAX, features, 16, k),
                        name, version, ModelTask.MULTICLASS, features))
                .setClassLabels(classLabels(k)).setOutputKind("probabilities").build();
    }

    /**
     * A multiclass model whose logits are its input ({@code Identity}, {@code [batch, k]} in and
     * out, output kind logits): row x ranks its classes by softmax(x), which a test computes by hand.
     */
    public static ModelVersion identityLogits(String name, int version, int k) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("identity-logits");
        String x = g.input(OnnxGraphs.INPUT, BATCH, k);
        g.output(g.op("Identity", x), OnnxGraphs.OUTPUT, BATCH, k);
        return ModelVersion.newBuilder(ModelVersions.fromOnnx(g.build(), name, version, ModelTask.MULTICLASS, k))
                .setClassLabels(classLabels(k)).setOutputKind("logits").build();
    }

    /** A multiclass model whose logits are NaN for every row: Log(x - 100), {@code [batch, k]}. */
    public static ModelVersion nanLogits(String name, int version, int k) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("nan-logits");
        String x = g.input(OnnxGraphs.INPUT, BATCH, k);
        g.output(g.op("Log", g.op("Sub", x, g.scalar("hundred", 100f))), OnnxGraphs.OUTPUT, BATCH, k);
        return ModelVersion.newBuilder(ModelVersions.fromOnnx(g.build(), name, version, ModelTask.MULTICLASS, k))
                .setClassLabels(classLabels(k)).setOutputKind("logits").build();
    }

    /** With inline bytes replaced and the sha256 recomputed. */
    public static ModelVersion withOnnx(ModelVersion mv, byte[] onnx) {
        return ModelVersion.newBuilder(mv)
                .setOnnx(ByteBuffer.wrap(onnx))
                .setSha256(ModelVersions.sha256Hex(onnx))
                .build();
    }

    /** Fixed-seed standard-normal rows, row-major. */
    public static float[] randomRows(long seed, int rows, int features) {
        Random r = new Random(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static float[] randomFloats(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() / Math.sqrt(n));
        }
        return v;
    }

    /**
     * The model's first output for one row, computed in plain Java (double precision) from the
     * ONNX graph in {@code mv}. Supports the operators these fixtures use: Gemm (no transposes),
     * Relu, Sigmoid, Softmax, Log, Identity, ReduceSum (over axis 1), and broadcasting Add, Sub,
     * Mul, Div.
     */
    public static float[] forward(ModelVersion mv, float[] row) {
        byte[] onnx = ModelVersions.onnxBytes(mv);
        OnnxMl.GraphProto graph;
        try {
            graph = OnnxMl.ModelProto.parseFrom(onnx).getGraph();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model", e);
        }
        Map<String, double[]> values = new HashMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            values.put(t.getName(), constant(t));
        }
        double[] x = new double[row.length];
        for (int i = 0; i < row.length; i++) {
            x[i] = row[i];
        }
        values.put(graph.getInput(0).getName(), x);
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            List<String> in = node.getInputList();
            double[] a = values.get(in.get(0));
            double[] result = switch (node.getOpType()) {
                case "Gemm" -> gemm(a, values.get(in.get(1)), in.size() > 2 ? values.get(in.get(2)) : null);
                case "Relu" -> map(a, v -> Math.max(0, v));
                case "Sigmoid" -> map(a, v -> 1 / (1 + Math.exp(-v)));
                case "Log" -> map(a, Math::log);
                case "Identity" -> a;
                case "Softmax" -> softmax(a);
                case "ReduceSum" -> new double[] {java.util.Arrays.stream(a).sum()};
                case "Add" -> zip(a, values.get(in.get(1)), Double::sum);
                case "Sub" -> zip(a, values.get(in.get(1)), (p, q) -> p - q);
                case "Mul" -> zip(a, values.get(in.get(1)), (p, q) -> p * q);
                case "Div" -> zip(a, values.get(in.get(1)), (p, q) -> p / q);
                default -> throw new UnsupportedOperationException("forward() does not know " + node.getOpType());
            };
            values.put(node.getOutput(0), result);
        }
        double[] out = values.get(graph.getOutput(0).getName());
        float[] f = new float[out.length];
        for (int i = 0; i < out.length; i++) {
            f[i] = (float) out[i];
        }
        return f;
    }

    // Gemm's weight is kept flat; its column count follows from the bias, or from the input width.
    private static double[] gemm(double[] x, double[] w, double[] bias) {
        int out = w.length / x.length;
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            double s = bias == null ? 0 : bias[bias.length == 1 ? 0 : j];
            for (int i = 0; i < x.length; i++) {
                s += x[i] * w[i * out + j];
            }
            y[j] = s;
        }
        return y;
    }

    private static double[] softmax(double[] a) {
        double max = java.util.Arrays.stream(a).max().orElse(0);
        double[] e = map(a, v -> Math.exp(v - max));
        double sum = java.util.Arrays.stream(e).sum();
        return map(e, v -> v / sum);
    }

    private static double[] map(double[] a, java.util.function.DoubleUnaryOperator f) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = f.applyAsDouble(a[i]);
        }
        return r;
    }

    private static double[] zip(double[] a, double[] b, java.util.function.DoubleBinaryOperator f) {
        int n = Math.max(a.length, b.length);
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = f.applyAsDouble(a[a.length == 1 ? 0 : i], b[b.length == 1 ? 0 : i]);
        }
        return r;
    }

    private static double[] constant(OnnxMl.TensorProto t) {
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean isLong = t.getDataType() == OnnxMl.TensorProto.DataType.INT64.getNumber();
        int n = raw.remaining() / (isLong ? Long.BYTES : Float.BYTES);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = isLong ? raw.getLong() : raw.getFloat();
        }
        return v;
    }
}

package io.riffle.modelops.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A minimal ONNX graph builder over the raw protobuf classes.
 *
 * <p>Tribuo's {@code ONNXContext} only knows a short operator enum; building {@code ModelProto}
 * directly lets any standard operator be used by its ONNX name. Dimensions passed as {@link
 * #BATCH} become the symbolic dimension {@code "batch"}. Not thread-safe; one builder per graph.
 */
public final class OnnxGraphBuilder {

    /** Marks a symbolic batch dimension in {@link #input} and {@link #output}. */
    public static final long BATCH = -1L;

    /** The default opset: supported by ONNX Runtime 1.28 on both CPU and CUDA providers. */
    public static final int DEFAULT_OPSET = 17;

    // IR version 8 is the one that introduced opset 17; ORT 1.28 reads up to IR 11.
    private static final long IR_VERSION = 8L;

    /** The domain of the traditional-ML operators such as TreeEnsembleRegressor. */
    public static final String ML_DOMAIN = "ai.onnx.ml";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final int opset;
    // Opsets of domains other than the default one, imported only when a node uses them.
    private final Map<String, Integer> domainOpsets = new LinkedHashMap<>();
    private int counter;

    public OnnxGraphBuilder(String graphName) {
        this(graphName, DEFAULT_OPSET);
    }

    public OnnxGraphBuilder(String graphName, int opset) {
        graph.setName(Objects.requireNonNull(graphName, "graphName"));
        this.opset = opset;
    }

    /** Declares a float graph input; returns its name. */
    public String input(String name, long... dims) {
        graph.addInput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
        return name;
    }

    /** Adds a float constant ({@code dims} fixed, row-major {@code values}); returns its name. */
    public String floats(String prefix, float[] values, long... dims) {
        checkCount(values.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        raw.flip();
        return initializer(prefix, TensorProto.DataType.FLOAT, raw, dims);
    }

    /**
     * Adds a double constant ({@code dims} fixed, row-major {@code values}); returns its name.
     * For graphs that compute in double after a {@code Cast} of the float input.
     */
    public String doubles(String prefix, double[] values, long... dims) {
        checkCount(values.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            raw.putDouble(v);
        }
        raw.flip();
        return initializer(prefix, TensorProto.DataType.DOUBLE, raw, dims);
    }

    /** Adds an int64 constant, e.g. the {@code axes} of ReduceSum or the shape of Reshape. */
    public String longs(String prefix, long[] values, long... dims) {
        checkCount(values.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        raw.flip();
        return initializer(prefix, TensorProto.DataType.INT64, raw, dims);
    }

    /** Adds a float scalar constant (rank 0). */
    public String scalar(String prefix, float value) {
        return floats(prefix, new float[] {value});
    }

    /** Adds a node with one output and no attributes; returns the output's name. */
    public String op(String opType, String... inputs) {
        return op(opType, Map.of(), inputs);
    }

    /**
     * Adds a node with one output. Attribute values may be Integer/Long (INT), Float/Double
     * (FLOAT), long[]/int[] (INTS), float[] (FLOATS), String (STRING) or String[] (STRINGS).
     */
    public String op(String opType, Map<String, ?> attributes, String... inputs) {
        String output = opType.toLowerCase() + "_" + (counter++);
        opInto(output, opType, attributes, inputs);
        return output;
    }

    /** Adds a node with one output of the given name (e.g. a graph output). */
    public String opInto(String output, String opType, Map<String, ?> attributes, String... inputs) {
        return addNode(NodeProto.newBuilder(), output, opType, attributes, inputs);
    }

    /**
     * Adds a node of another operator domain (e.g. {@link #ML_DOMAIN}) with one output, and
     * imports that domain at {@code domainOpset}; returns the output's name.
     */
    public String opInDomain(String domain, int domainOpset, String opType, Map<String, ?> attributes,
                             String... inputs) {
        Objects.requireNonNull(domain, "domain");
        Integer previous = domainOpsets.putIfAbsent(domain, domainOpset);
        if (previous != null && previous != domainOpset) {
            throw new IllegalArgumentException("domain " + domain + " is already imported at opset " + previous
                    + ", cannot also use opset " + domainOpset);
        }
        String output = opType.toLowerCase() + "_" + (counter++);
        return addNode(NodeProto.newBuilder().setDomain(domain), output, opType, attributes, inputs);
    }

    private String addNode(NodeProto.Builder node, String output, String opType, Map<String, ?> attributes,
                           String... inputs) {
        node.setOpType(opType).setName(opType + "_" + (counter++)).addOutput(output);
        for (String in : inputs) {
            node.addInput(in);
        }
        attributes.forEach((k, v) -> node.addAttribute(attribute(k, v)));
        graph.addNode(node);
        return output;
    }

    /**
     * Declares {@code value} as a float graph output called {@code name} (an Identity node is
     * inserted when the names differ).
     */
    public void output(String value, String name, long... dims) {
        if (!value.equals(name)) {
            opInto(name, "Identity", Map.of(), value);
        }
        graph.addOutput(valueInfo(name, TensorProto.DataType.FLOAT, dims));
    }

    /** Serialises the model. */
    public byte[] build() {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("riffle")
                .setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        domainOpsets.forEach((domain, version) ->
                model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version)));
        return model.setGraph(graph).build().toByteArray();
    }

    private String initializer(String prefix, TensorProto.DataType type, ByteBuffer raw, long[] dims) {
        String name = prefix + "_" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder()
                .setName(name)
                .setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    private static void checkCount(int count, long[] dims) {
        long expected = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("constants need fixed dimensions, got " + d);
            }
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException(
                    "shape " + java.util.Arrays.toString(dims) + " holds " + expected + " values, got " + count);
        }
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d < 0) {
                dim.setDimParam("batch");
            } else {
                dim.setDimValue(d);
            }
            shape.addDim(dim);
        }
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape);
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    private static AttributeProto attribute(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (value instanceof Integer || value instanceof Long) {
            a.setType(AttributeProto.AttributeType.INT).setI(((Number) value).longValue());
        } else if (value instanceof Float || value instanceof Double) {
            a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) value).floatValue());
        } else if (value instanceof long[] ls) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (value instanceof int[] is) {
            a.setType(AttributeProto.AttributeType.INTS);
            for (int i : is) {
                a.addInts(i);
            }
        } else if (value instanceof float[] fs) {
            a.setType(AttributeProto.AttributeType.FLOATS);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else if (value instanceof String s) {
            a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (value instanceof String[] ss) {
            a.setType(AttributeProto.AttributeType.STRINGS);
            for (String s : ss) {
                a.addStrings(ByteString.copyFromUtf8(s));
            }
        } else {
            throw new IllegalArgumentException("unsupported attribute " + name + ": " + value);
        }
        return a.build();
    }
}

package io.riffle.modelops.registry;

import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroClassAllowList;
import java.nio.ByteBuffer;

/** Builds {@link ModelVersion} records. */
public final class ModelVersions {

    static {
        // ModelVersion.newBuilder(mv) deep-copies enum fields, which Avro 1.12 refuses for
        // classes outside its allow-list; anyone refining a version built here needs it.
        AvroClassAllowList.allowRiffleRecords();
    }

    private ModelVersions() {}

    /**
     * A CHAMPION version carrying {@code onnx} inline, its sha256, and {@code createdAt} = now;
     * the other fields keep their schema defaults. Refine with {@code ModelVersion.newBuilder(mv)}.
     */
    public static ModelVersion fromOnnx(byte[] onnx, String name, int version, ModelTask task, int featureCount) {
        return ModelVersion.newBuilder()
                .setName(name)
                .setVersion(version)
                .setTask(task)
                .setRole(ModelRole.CHAMPION)
                .setOnnx(ByteBuffer.wrap(onnx.clone()))
                .setSha256(Digests.sha256Hex(onnx))
                .setFeatureCount(featureCount)
                .setCreatedAt(System.currentTimeMillis())
                .build();
    }

    /** SHA-256 hex of {@code bytes}; same as {@link Digests#sha256Hex}. */
    public static String sha256Hex(byte[] bytes) {
        return Digests.sha256Hex(bytes);
    }

    /** The ONNX bytes carried inline, or null. */
    public static byte[] onnxBytes(ModelVersion mv) {
        ByteBuffer b = mv.getOnnx();
        if (b == null) {
            return null;
        }
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return bytes;
    }

    /** {@code name vN}, as used in messages and logs. */
    public static String label(ModelVersion mv) {
        return mv.getName() + " v" + mv.getVersion();
    }
}

package io.riffle.modelops.trust;

import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The bytes a model version's signature covers, in one fixed layout, so that signer and verifier
 * agree without depending on Avro's encoding (which a schema evolution may change):
 *
 * <pre>
 *   string "riffle.model-version", byte format (1),
 *   string name, int version, string task, string role,
 *   double reviewThreshold, double blockThreshold,
 *   string sha256 (trimmed, lower case), string featureSpecHash,
 *   int featureCount, string inputName, string outputName, int positiveIndex
 *   MULTICLASS only: string outputKind, int K, then K strings classLabels
 * </pre>
 *
 * Integers and doubles are big-endian ({@link Double#doubleToLongBits}, so every NaN is one value).
 * A string is a presence byte (0 = null, 1 = present) then, when present, its UTF-8 length as an
 * int and its UTF-8 bytes: null and "" differ, and no field can run into the next. Besides the
 * fields the design names, the input contract (feature count, input/output names, positive
 * column) is covered: changing the positive column of a two-column output alone would invert
 * every probability; for the same reason a multiclass version's class labels and output kind are
 * covered (reordering two labels would recommend the wrong items). Binary and anomaly versions
 * keep the layout they were signed with. The ONNX bytes themselves are covered through their sha256, which the
 * loader checks against the bytes.
 */
public final class SignedFields {

    static final String TAG = "riffle.model-version";
    /** Bump when the layout changes; a verifier of another format then rejects the signature. */
    static final byte FORMAT = 1;

    private SignedFields() {}

    /** The canonical bytes of {@code mv}; the same for every copy of it, whatever its signature field holds. */
    public static byte[] of(ModelVersion mv) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            string(out, TAG);
            out.writeByte(FORMAT);
            string(out, mv.getName());
            out.writeInt(mv.getVersion());
            string(out, mv.getTask() == null ? null : mv.getTask().name());
            string(out, mv.getRole() == null ? null : mv.getRole().name());
            out.writeDouble(mv.getReviewThreshold());
            out.writeDouble(mv.getBlockThreshold());
            // The loader compares digests ignoring case and surrounding space: sign the digest, not its spelling.
            string(out, mv.getSha256() == null ? null : mv.getSha256().trim().toLowerCase(Locale.ROOT));
            string(out, mv.getFeatureSpecHash());
            out.writeInt(mv.getFeatureCount());
            string(out, mv.getInputName());
            string(out, mv.getOutputName());
            out.writeInt(mv.getPositiveIndex());
            if (mv.getTask() == ModelTask.MULTICLASS) {
                string(out, mv.getOutputKind());
                java.util.List<String> labels = mv.getClassLabels();
                out.writeInt(labels == null ? -1 : labels.size());
                if (labels != null) {
                    for (String label : labels) {
                        string(out, label);
                    }
                }
            }
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail.
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeByte(0);
            return;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte(1);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}

package io.riffle.modelops.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A signature holds exactly for the fields it was made over, and only with the key that made it. */
class ModelSignatureTest {

    private static final KeyPair KEYS = SigningKeys.generate();
    private static final KeyPair OTHER = SigningKeys.generate();

    private final ModelSigner signer = new ModelSigner(KEYS.getPrivate(), "test.key");
    private final ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 3, 8, 1L))
            .setFeatureSpecHash("spec-1").build();

    private static ModelVerifier trusting(KeyPair... pairs) throws KeyFileException {
        List<java.security.PublicKey> keys = java.util.Arrays.stream(pairs).map(KeyPair::getPublic).toList();
        List<String> names = java.util.stream.IntStream.range(0, pairs.length).mapToObj(i -> "key" + i + ".pub").toList();
        return ModelVerifier.of(keys, names);
    }

    @Test
    void aSignedVersionVerifiesWithItsKeyAmongOthers() throws Exception {
        ModelVersion signed = signer.sign(model);
        assertThat(signed.getSignature().remaining()).isEqualTo(64);
        assertThat(trusting(KEYS).verify(signed)).isEqualTo(ModelVerifier.Verdict.VERIFIED);
        assertThat(trusting(OTHER, KEYS).verify(signed)).isEqualTo(ModelVerifier.Verdict.VERIFIED);
    }

    @Test
    void anotherKeysSignatureDoesNotVerify() throws Exception {
        ModelVersion signedByOther = new ModelSigner(OTHER.getPrivate(), "other.key").sign(model);
        assertThat(trusting(KEYS).verify(signedByOther)).isEqualTo(ModelVerifier.Verdict.INVALID);
    }

    @Test
    void unsignedAndGarbageSignatures() throws Exception {
        ModelVerifier verifier = trusting(KEYS);
        assertThat(verifier.verify(model)).isEqualTo(ModelVerifier.Verdict.UNSIGNED);
        assertThat(verifier.verify(withSignature(model, new byte[0]))).isEqualTo(ModelVerifier.Verdict.UNSIGNED);
        assertThat(verifier.verify(withSignature(model, new byte[] {1, 2, 3}))).isEqualTo(ModelVerifier.Verdict.INVALID);
        assertThat(verifier.verify(withSignature(model, new byte[64]))).isEqualTo(ModelVerifier.Verdict.INVALID);
    }

    @Test
    void everySignedFieldInvalidatesTheSignatureWhenChanged() throws Exception {
        ModelVerifier verifier = trusting(KEYS);
        ModelVersion signed = signer.sign(model);
        Map<String, UnaryOperator<ModelVersion.Builder>> changes = new java.util.LinkedHashMap<>();
        changes.put("name", b -> b.setName("fraud2"));
        changes.put("version", b -> b.setVersion(4));
        changes.put("task", b -> b.setTask(ModelTask.ANOMALY));
        changes.put("role", b -> b.setRole(ModelRole.SHADOW));
        changes.put("review threshold", b -> b.setReviewThreshold(0.51));
        changes.put("block threshold", b -> b.setBlockThreshold(0.95));
        changes.put("sha256", b -> b.setSha256("00".repeat(32)));
        changes.put("spec hash", b -> b.setFeatureSpecHash("spec-2"));
        changes.put("spec hash removed", b -> b.setFeatureSpecHash(null));
        changes.put("spec hash empty", b -> b.setFeatureSpecHash(""));
        changes.put("feature count", b -> b.setFeatureCount(9));
        changes.put("input name", b -> b.setInputName("features"));
        changes.put("output name", b -> b.setOutputName("score"));
        changes.put("positive index", b -> b.setPositiveIndex(0));
        for (Map.Entry<String, UnaryOperator<ModelVersion.Builder>> c : changes.entrySet()) {
            ModelVersion changed = c.getValue().apply(ModelVersion.newBuilder(signed)).build();
            assertThat(verifier.verify(changed)).as("changed %s", c.getKey()).isEqualTo(ModelVerifier.Verdict.INVALID);
        }
    }

    @Test
    void aMulticlassVersionsClassLabelsAndOutputKindAreSigned() throws Exception {
        ModelVerifier verifier = trusting(KEYS);
        ModelVersion signed = signer.sign(TestModels.multiclassMlp("recs", 2, 8, 4, 3L));
        assertThat(verifier.verify(signed)).isEqualTo(ModelVerifier.Verdict.VERIFIED);
        Map<String, UnaryOperator<ModelVersion.Builder>> changes = new java.util.LinkedHashMap<>();
        changes.put("two labels swapped", b -> b.setClassLabels(List.of("item-1", "item-0", "item-2", "item-3")));
        changes.put("a label renamed", b -> b.setClassLabels(List.of("item-0", "item-1", "item-2", "item-9")));
        changes.put("a label dropped", b -> b.setClassLabels(List.of("item-0", "item-1", "item-2")));
        changes.put("output kind", b -> b.setOutputKind("logits"));
        for (Map.Entry<String, UnaryOperator<ModelVersion.Builder>> c : changes.entrySet()) {
            ModelVersion changed = c.getValue().apply(ModelVersion.newBuilder(signed)).build();
            assertThat(verifier.verify(changed)).as("changed %s", c.getKey()).isEqualTo(ModelVerifier.Verdict.INVALID);
        }
        // A binary version's bytes do not depend on the class fields (its signatures stay valid).
        assertThat(SignedFields.of(ModelVersion.newBuilder(model).setClassLabels(List.of("a", "b")).build()))
                .isEqualTo(SignedFields.of(model));
    }

    @Test
    void fieldsOutsideTheSignatureAndTheDigestsSpellingDoNotMatter() throws Exception {
        ModelVerifier verifier = trusting(KEYS);
        ModelVersion signed = signer.sign(model);
        ModelVersion restamped = ModelVersion.newBuilder(signed).setCreatedAt(1L).setMetrics(Map.of("auc", 0.9))
                .setSha256(" " + signed.getSha256().toUpperCase(java.util.Locale.ROOT) + " ").build();
        assertThat(verifier.verify(restamped)).isEqualTo(ModelVerifier.Verdict.VERIFIED);
    }

    @Test
    void aNullSpecHashAndAnEmptyOneAreDifferentBytes() {
        ModelVersion none = ModelVersion.newBuilder(model).setFeatureSpecHash(null).build();
        ModelVersion empty = ModelVersion.newBuilder(model).setFeatureSpecHash("").build();
        assertThat(SignedFields.of(none)).isNotEqualTo(SignedFields.of(empty));
        // Deterministic: the same fields give the same bytes, whatever the signature field holds.
        assertThat(SignedFields.of(model)).isEqualTo(SignedFields.of(signer.sign(model)));
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        // "ab" + "c" and "a" + "bc" must not give the same bytes (length prefixes).
        ModelVersion a = ModelVersion.newBuilder(model).setInputName("ab").setOutputName("c").build();
        ModelVersion b = ModelVersion.newBuilder(model).setInputName("a").setOutputName("bc").build();
        assertThat(SignedFields.of(a)).isNotEqualTo(SignedFields.of(b));
    }

    @Test
    void theVerifierTravelsAsBytes() throws Exception {
        ModelVerifier verifier = trusting(KEYS);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(verifier);
        }
        ModelVerifier copy;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ModelVerifier) in.readObject();
        }
        assertThat(copy.verify(signer.sign(model))).isEqualTo(ModelVerifier.Verdict.VERIFIED);
        assertThat(copy.sources()).containsExactly("key0.pub");
        assertThat(ModelVerifier.none().isEmpty()).isTrue();
    }

    private static ModelVersion withSignature(ModelVersion mv, byte[] signature) {
        return ModelVersion.newBuilder(mv).setSignature(ByteBuffer.wrap(signature)).build();
    }
}

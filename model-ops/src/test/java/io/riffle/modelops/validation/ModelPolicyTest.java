package io.riffle.modelops.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loader's policy: trusted signatures, the pipeline's model names, a required spec hash. */
class ModelPolicyTest {

    private static final int N = 8;
    private static final String SPEC = "spec-1";
    private static final KeyPair TRUSTED = SigningKeys.generate();
    private static final KeyPair STRANGER = SigningKeys.generate();

    private final SessionCache cache = new SessionCache();
    private final ModelSigner signer = new ModelSigner(TRUSTED.getPrivate(), "riffle.key");
    private final ModelVersion good = ModelVersion.newBuilder(TestModels.binaryMlp("fraud", 2, N, 1L))
            .setFeatureSpecHash(SPEC).build();

    @AfterEach
    void noSessionLeaks() {
        assertThat(cache.openSessions()).isZero();
    }

    private ModelLoader loader(ModelPolicy policy) {
        return new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache, policy);
    }

    private static ModelPolicy trusting(KeyPair pair) throws Exception {
        return ModelPolicy.defaults().withVerifier(ModelVerifier.of(List.of(pair.getPublic()), List.of("riffle.pub")));
    }

    @Test
    void withoutTrustedKeysUnsignedVersionsAreServedAsBefore() throws Exception {
        loader(ModelPolicy.defaults()).load(good, N, SPEC).close();
        new ModelLoader(EngineOptions.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, cache).load(good, N, SPEC).close();
        // A loader without a spec hash loads a model without one (unit tests, the CLI's local check).
        ModelVersion unstamped = ModelVersion.newBuilder(good).setFeatureSpecHash(null).build();
        loader(ModelPolicy.defaults()).load(unstamped, N, null).close();
    }

    @Test
    void withTrustedKeysOnlyVersionsTheySignedAreServed() throws Exception {
        ModelLoader loader = loader(trusting(TRUSTED));
        loader.load(signer.sign(good), N, SPEC).close();
        rejected(loader, good).hasMessage("model fraud v2: unsigned, and this scorer trusts only signed versions;"
                + " publish it with 'riffle models publish --signing-key FILE'");
        rejected(loader, new ModelSigner(STRANGER.getPrivate(), "other.key").sign(good))
                .hasMessageContaining("signature does not verify with any trusted key (riffle.pub)");
        ModelVersion retuned = ModelVersion.newBuilder(signer.sign(good)).setBlockThreshold(0.99).build();
        rejected(loader, retuned).hasMessageContaining("signature does not verify with any trusted key")
                .hasMessageContaining("thresholds");
    }

    @Test
    void theSignatureIsCheckedBeforeTheBytesAreParsed() throws Exception {
        ModelVersion garbage = ModelVersion.newBuilder(io.riffle.modelops.registry.ModelVersions.fromOnnx(
                "not onnx".getBytes(StandardCharsets.UTF_8), "fraud", 2, io.riffle.schemas.ModelTask.BINARY, N))
                .setFeatureSpecHash(SPEC).build();
        ModelLoader loader = loader(trusting(TRUSTED));
        rejected(loader, garbage).hasMessageContaining("unsigned");
        rejected(loader, signer.sign(garbage)).hasMessageContaining("ONNX Runtime could not load it");
    }

    @Test
    void bytesThatDoNotMatchTheSignedDigestAreRejected() throws Exception {
        ModelVersion signed = signer.sign(good);
        ModelVersion swapped = TestModels.withOnnx(signed, io.riffle.modelops.registry.ModelVersions.onnxBytes(
                TestModels.binaryMlp("fraud", 2, N, 99L)));
        // withOnnx restamps the digest, which the signature covers; keeping the signed digest instead
        // leaves bytes that do not hash to it.
        rejected(loader(trusting(TRUSTED)), swapped).hasMessageContaining("signature does not verify");
        ModelVersion keptDigest = ModelVersion.newBuilder(swapped).setSha256(signed.getSha256()).build();
        rejected(loader(trusting(TRUSTED)), keptDigest).hasMessageContaining("sha256 mismatch");
    }

    @Test
    void onlyThePipelinesModelsAndTheirShadowsAreServed() throws Exception {
        ModelLoader loader = loader(ModelPolicy.defaults().withAllowedNames(List.of("fraud", "anomaly")));
        loader.load(good, N, SPEC).close();
        ModelVersion stranger = ModelVersion.newBuilder(good).setName("x").build();
        rejected(loader, stranger).hasMessage("model x v2: model 'x' is not one of this pipeline's models (fraud, anomaly)");
        ModelVersion shadow = ModelVersion.newBuilder(good).setName("fraud-shadow").setRole(ModelRole.SHADOW).build();
        loader.load(shadow, N, SPEC).close();
        ModelVersion decidingShadow = ModelVersion.newBuilder(shadow).setRole(ModelRole.CHAMPION).build();
        rejected(loader, decidingShadow).hasMessageContaining("'fraud-shadow' is not one of this pipeline's models");
        ModelVersion strangerShadow = ModelVersion.newBuilder(shadow).setName("x-shadow").build();
        rejected(loader, strangerShadow).hasMessageContaining("a non-deciding shadow of one is named NAME-shadow");
        assertThat(ModelPolicy.defaults().allowsName(stranger)).isTrue();
    }

    @Test
    void aMissingSpecHashIsRejectedUnlessAllowed() throws Exception {
        ModelVersion unstamped = ModelVersion.newBuilder(good).setFeatureSpecHash(null).build();
        rejected(loader(ModelPolicy.defaults()), unstamped).hasMessageContaining("no feature spec hash");
        loader(ModelPolicy.defaults().withRequireSpecHash(false)).load(unstamped, N, SPEC).close();
    }

    @Test
    void thePolicyTravelsWithTheJob() throws Exception {
        ModelPolicy policy = trusting(TRUSTED).withAllowedNames(List.of("fraud"));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(policy);
        }
        ModelPolicy copy;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ModelPolicy) in.readObject();
        }
        loader(copy).load(signer.sign(good), N, SPEC).close();
        rejected(loader(copy), good).hasMessageContaining("unsigned");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> rejected(ModelLoader loader, ModelVersion mv) {
        return assertThatThrownBy(() -> loader.load(mv, N, SPEC).close()).isInstanceOf(ModelRejectedException.class)
                .hasMessageStartingWith("model " + mv.getName() + " v" + mv.getVersion() + ": ");
    }
}

package io.riffle.modelops.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.testing.InMemoryModelsTopic;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.schemas.ModelVersion;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every producer of model versions gets from the one publisher: numbering and signing. */
class ModelPublisherTest {

    private static final KeyPair KEYS = SigningKeys.generate();

    private final InMemoryModelsTopic topic = new InMemoryModelsTopic();

    @Test
    void numbersEachNameAfterItsHighestVersion() {
        try (ModelPublisher publisher = new ModelPublisher(topic, null)) {
            ModelVersion first = publisher.publishNext(TestModels.binaryMlp("fraud", 0, 4, 1L));
            ModelVersion other = publisher.publishNext(TestModels.anomaly("anomaly", 0, 4));
            ModelVersion second = publisher.publishNext(TestModels.binaryMlp("fraud", 0, 4, 2L));
            assertThat(List.of(first.getVersion(), other.getVersion(), second.getVersion())).containsExactly(1, 1, 2);
            assertThat(topic.list(Duration.ZERO)).containsExactly(first, other, second);
            assertThat(first.getSignature()).isNull();
            assertThat(publisher.signedWith()).isNull();
        }
    }

    @Test
    void signsLastSoTheSignatureCoversTheNumber() throws KeyFileException {
        ModelSigner signer = new ModelSigner(KEYS.getPrivate(), "riffle.key");
        try (ModelPublisher publisher = new ModelPublisher(topic, signer)) {
            publisher.publish(TestModels.binaryMlp("fraud", 4, 4, 1L));
            ModelVersion next = publisher.publishNext(TestModels.binaryMlp("fraud", 0, 4, 1L));
            assertThat(next.getVersion()).isEqualTo(5);
            assertThat(publisher.signedWith()).isEqualTo("riffle.key");
            ModelVerifier verifier = ModelVerifier.of(List.of(KEYS.getPublic()), List.of("riffle.pub"));
            assertThat(verifier.verify(topic.list(Duration.ZERO).get(1))).isEqualTo(ModelVerifier.Verdict.VERIFIED);
            ModelVersion renumbered = ModelVersion.newBuilder(next).setVersion(6).build();
            assertThat(verifier.verify(renumbered)).isNotEqualTo(ModelVerifier.Verdict.VERIFIED);
        }
    }

    @Test
    void noKeyFileMeansNoSigner() throws KeyFileException {
        assertThat(ModelPublisher.signer(null)).isNull();
    }
}

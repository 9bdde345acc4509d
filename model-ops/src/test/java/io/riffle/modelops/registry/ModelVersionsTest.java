package io.riffle.modelops.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.serde.AvroSerde;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ModelVersionsTest {

    @Test
    void fromOnnxFillsIntegrityFieldsAndDefaults() {
        byte[] onnx = {1, 2, 3, 4};
        long before = System.currentTimeMillis();
        ModelVersion mv = ModelVersions.fromOnnx(onnx, "fraud", 2, ModelTask.ANOMALY, 9);
        assertThat(mv.getName()).isEqualTo("fraud");
        assertThat(mv.getVersion()).isEqualTo(2);
        assertThat(mv.getTask()).isEqualTo(ModelTask.ANOMALY);
        assertThat(mv.getRole()).isEqualTo(ModelRole.CHAMPION);
        assertThat(mv.getFeatureCount()).isEqualTo(9);
        assertThat(mv.getSha256()).isEqualTo(Digests.sha256Hex(onnx)).hasSize(64);
        assertThat(ModelVersions.onnxBytes(mv)).containsExactly(onnx);
        assertThat(mv.getCreatedAt()).isBetween(before, System.currentTimeMillis());
        assertThat(mv.getPositiveIndex()).isEqualTo(1);
        assertThat(mv.getReviewThreshold()).isEqualTo(0.5);
        assertThat(mv.getBlockThreshold()).isEqualTo(0.9);
        assertThat(ModelVersions.label(mv)).isEqualTo("fraud v2");

        onnx[0] = 42; // the record keeps its own copy
        assertThat(ModelVersions.onnxBytes(mv)[0]).isEqualTo((byte) 1);

        ModelVersion refined = ModelVersion.newBuilder(mv).setRole(ModelRole.SHADOW).build();
        assertThat(refined.getRole()).isEqualTo(ModelRole.SHADOW);
        AvroSerde<ModelVersion> serde = AvroSerde.of(ModelVersion.class);
        assertThat(serde.decode(serde.encode(refined))).isEqualTo(refined);
    }

    @Test
    void sha256OfKnownInput() {
        assertThat(Digests.sha256Hex(new byte[0]))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void unreachableBrokerGivesAClearError() {
        try (ModelRegistry registry = new ModelRegistry("127.0.0.1:1", "riffle.models")) {
            assertThatThrownBy(() -> registry.list(Duration.ofMillis(1500)))
                    .isInstanceOf(ModelRegistryException.class)
                    .hasMessageContaining("riffle.models")
                    .hasMessageContaining("127.0.0.1:1")
                    .hasMessageContaining("is Kafka running");
        }
    }
}

package io.riffle.jobs;

import io.riffle.jobs.operators.ScorerConfig;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.schemas.ModelVersion;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which models a pipeline's scorer admits: from the file, through the options, into the scorer's config. */
class ModelTrustOptionsTest {

    @TempDir
    Path dir;

    @Test
    void withoutSettingsAnyModelIsAdmittedAsBefore() {
        ModelPolicy policy = ScoringOptions.modelPolicy(new Configuration());
        assertThat(policy.verifier().isEmpty()).isTrue();
        assertThat(policy.allowedNames()).isEmpty();
        assertThat(policy.requireSpecHash()).isTrue();
        assertThat(new Configuration().get(ScoringOptions.MAX_MODEL_SIZE).getBytes())
                .isEqualTo(ModelLoader.DEFAULT_MAX_MODEL_BYTES);
    }

    @Test
    void thePipelineFilesKeysAndModelsReachTheScorerAsBytes() throws Exception {
        Path pipeline = pipelineWithKeys();
        PipelineSpec spec = PipelineSpec.load(pipeline);
        Configuration conf = PipelineConfigs.configuration(spec);
        assertThat(conf.get(ScoringOptions.TRUSTED_KEYS)).containsExactly(dir.resolve("keys/riffle.pub").toString());
        assertThat(conf.get(ScoringOptions.ALLOWED_MODELS)).containsExactly("generic");
        assertThat(conf.get(ScoringOptions.REQUIRE_SPEC_HASH)).isFalse();
        conf.set(ScoringOptions.MAX_MODEL_SIZE, MemorySize.parse("2mb"));

        ScorerConfig scorer = new PipelineScoringJob(spec, conf).scorerConfig();
        // The key file may be gone where the scorer runs: the config carries the key itself.
        Files.delete(dir.resolve("keys/riffle.pub"));
        ScorerConfig shipped = InstantiationUtil.clone(scorer);
        assertThat(shipped.maxModelBytes()).isEqualTo(2L << 20);
        assertThat(shipped.modelPolicy().allowedNames()).containsExactly("generic");
        assertThat(shipped.modelPolicy().requireSpecHash()).isFalse();
        ModelVersion model = TestModels.binaryMlp("generic", 1, 4, 1L);
        ModelVerifier verifier = shipped.modelPolicy().verifier();
        assertThat(verifier.verify(model)).isEqualTo(ModelVerifier.Verdict.UNSIGNED);
        assertThat(verifier.verify(ModelSigner.fromFile(dir.resolve("keys/riffle.key")).sign(model)))
                .isEqualTo(ModelVerifier.Verdict.VERIFIED);
    }

    @Test
    void anUnreadableKeyFailsTheBuildNamingTheOption() {
        Configuration conf = new Configuration();
        conf.set(ScoringOptions.TRUSTED_KEYS, List.of(dir.resolve("nope.pub").toString()));
        assertThatThrownBy(() -> ScoringOptions.modelPolicy(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("riffle.models.trusted-keys: cannot read trusted key " + dir.resolve("nope.pub"));
    }

    /** generic-30.yaml beside its schema, with trusted keys and no spec hash requirement. */
    private Path pipelineWithKeys() throws Exception {
        Path shipped = Path.of("../pipelines");
        Files.copy(shipped.resolve("generic-30.avsc"), dir.resolve("generic-30.avsc"));
        SigningKeys.write(SigningKeys.generate(), dir.resolve("keys/riffle"));
        // The scoring section is the file's last: its keys continue it.
        String yaml = Files.readString(shipped.resolve("generic-30.yaml")).stripTrailing()
                + "\n  trusted-keys: [keys/riffle.pub]\n  require-spec-hash: false\n";
        Path file = dir.resolve("generic-30.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}

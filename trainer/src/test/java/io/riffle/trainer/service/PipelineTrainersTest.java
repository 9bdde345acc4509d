package io.riffle.trainer.service;

import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.TrainerParams;
import io.riffle.trainer.model.TrainerConfig;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.modelops.spec.ModelKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineTrainersTest {

    @Test
    void theDemoPipelineGivesOneTrainerPerModelWithItsSettings() throws Exception {
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        List<TrainerOptions> options = PipelineTrainers.options(spec, "broker:9092");
        assertThat(options).extracting(TrainerOptions::modelName).containsExactly("fraud", "anomaly");

        TrainerOptions fraud = options.get(0);
        assertThat(fraud.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(fraud.training().kind()).isEqualTo(ModelKind.MLP);
        assertThat(fraud.training().hiddenLayers()).containsExactly(32, 16);
        assertThat(fraud.training().maxEpochs()).isEqualTo(30);
        assertThat(fraud.featureCount()).isEqualTo(spec.features().count());
        assertThat(fraud.specHash()).isEqualTo(spec.features().hash());
        assertThat(fraud.featureNames()).isEqualTo(spec.features().names());
        assertThat(fraud.onWorse()).isEqualTo(OnWorse.SHADOW);
        assertThat(fraud.trainingTopic()).isEqualTo(spec.kafka().topics().training());
        assertThat(fraud.window()).isEqualTo(spec.trainer().window());

        TrainerOptions anomaly = options.get(1);
        assertThat(anomaly.training().kind()).isEqualTo(ModelKind.AUTOENCODER);
        assertThat(anomaly.reviewThreshold()).isEqualTo(0.9);
        assertThat(anomaly.blockThreshold()).isEqualTo(0.99);
        assertThat(anomaly.onWorse()).isEqualTo(OnWorse.DISCARD);
    }

    @Test
    void aModelsIgnoredFeaturesReachItsTrainer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        String demo = Files.readString(Path.of("../pipelines/demo.yaml"));
        Files.writeString(file, demo.replace("      kind: mlp", "      kind: mlp\n      ignore: [hour_sin, count_24h]"));
        Files.copy(Path.of("../pipelines/transaction.avsc"), dir.resolve("transaction.avsc"));
        PipelineSpec spec = PipelineSpec.load(file);
        List<TrainerOptions> options = PipelineTrainers.options(spec, "broker:9092");
        assertThat(options.get(0).ignoredFeatures()).containsExactly("hour_sin", "count_24h");
        assertThat(options.get(0).featureMask().used()).isEqualTo(spec.features().count() - 2);
        assertThat(options.get(1).ignoredFeatures()).isEmpty();
    }

    @Test
    void theFilesSigningKeyReachesEveryTrainer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        String demo = Files.readString(Path.of("../pipelines/demo.yaml"));
        Files.writeString(file, demo.replace("trainer:\n  window: 3m", "trainer:\n  signing-key: keys/riffle.key\n  window: 3m"));
        Files.copy(Path.of("../pipelines/transaction.avsc"), dir.resolve("transaction.avsc"));
        SigningKeys.write(SigningKeys.generate(), dir.resolve("keys/riffle"));
        List<TrainerOptions> options = PipelineTrainers.options(PipelineSpec.load(file), "broker:9092");
        assertThat(options).extracting(TrainerOptions::signingKey)
                .containsOnly(dir.resolve("keys/riffle.key").toAbsolutePath().normalize());
        assertThat(PipelineTrainers.options(PipelineSpec.load(Path.of("../pipelines/demo.yaml")), "broker:9092"))
                .extracting(TrainerOptions::signingKey).containsOnlyNulls();
    }

    @Test
    void aTrainerWithAnUnreadableKeyDoesNotStart(@TempDir Path dir) throws Exception {
        SigningKeys.write(SigningKeys.generate(), dir.resolve("riffle"));
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        TrainerOptions wrong = TrainerOptions.builder("127.0.0.1:9", "fraud", ModelKind.LOGISTIC, spec.features().count(),
                spec.features().hash(), spec.features().names()).signingKey(dir.resolve("riffle.pub")).build();
        // Refused before any Kafka client exists (nothing listens on port 9).
        assertThatThrownBy(() -> new TrainerService(wrong, null).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("trainer for fraud: cannot read signing key " + dir.resolve("riffle.pub"));
    }

    @Test
    void hyperParametersMapOntoTheTrainerConfig(@TempDir Path dir) throws Exception {
        var config = PipelineTrainers.config(ModelKind.GBDT,
                new TrainerParams.Trees(50, 4, 0.3, null, null, null, null));
        assertThat(config.trees()).isEqualTo(50);
        assertThat(config.maxDepth()).isEqualTo(4);
        assertThat(config.eta()).isEqualTo(0.3);
        assertThat(config.threads()).isEqualTo(TrainerConfig.defaults(ModelKind.GBDT).threads());
        // An unknown key is refused where the file is read, with its line and column.
        String demo = Files.readString(Path.of("../pipelines/demo.yaml"));
        Files.writeString(dir.resolve("pipeline.yaml"), demo.replace("max-epochs: 30}", "epochs: 30}"));
        Files.copy(Path.of("../pipelines/transaction.avsc"), dir.resolve("transaction.avsc"));
        assertThatThrownBy(() -> PipelineSpec.load(dir.resolve("pipeline.yaml")))
                .hasMessageContaining("epochs").hasMessageContaining("max-epochs");
    }

    @Test
    void multiclassModelsGetTheirTaskTopKClassBoundAndSegments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pipeline.yaml");
        String demo = Files.readString(Path.of("../pipelines/demo.yaml"));
        int models = demo.indexOf("\nmodels:");
        String multiclass = """
                models:
                  - name: rec
                    task: multiclass
                    top-k: 7
                    trainer: {kind: mlp, params: {max-classes: 300, hidden-layers: [24]}}
                  - name: rec-popular
                    task: multiclass
                    trainer: {kind: popularity}
                """;
        // Keep everything but the demo's models: cut from 'models:' to the next top-level key.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\n[a-z]").matcher(demo);
        int end = m.find(models + 1) ? m.start() + 1 : demo.length();
        Files.writeString(file, demo.substring(0, models + 1) + multiclass + demo.substring(end));
        Files.copy(Path.of("../pipelines/transaction.avsc"), dir.resolve("transaction.avsc"));
        PipelineSpec spec = PipelineSpec.load(file);
        List<TrainerOptions> options = PipelineTrainers.options(spec, "broker:9092");

        TrainerOptions rec = options.get(0);
        assertThat(rec.multiclass()).isTrue();
        assertThat(rec.topK()).isEqualTo(7);
        assertThat(rec.maxClasses()).isEqualTo(300);
        assertThat(rec.training().hiddenLayers()).containsExactly(24);
        assertThat(rec.training().classWeighting()).as("off by default for multiclass").isFalse();
        assertThat(rec.drift().enabled()).isFalse();
        TrainerOptions popular = options.get(1);
        assertThat(popular.training().kind()).isEqualTo(ModelKind.POPULARITY);
        assertThat(popular.maxClasses()).isEqualTo(io.riffle.trainer.data.ClassVocabulary.DEFAULT_MAX_CLASSES);
        assertThat(popular.segmentColumns()).isEmpty();
    }
}

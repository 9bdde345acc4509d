package io.riffle.modelops.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.riffle.schemas.ModelTask;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multiclass models' trainer kinds and params in a pipeline file, and the refusals with line and column. */
class MulticlassModelsSpecTest {

    @TempDir
    Path dir;

    private static final String HEAD = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
              fields:
                - {numeric: amount}
                - {categorical: kind, one_hot: [A, B]}
            models:
            """;

    private List<SpecError> errors(String models) throws Exception {
        Path file = SpecFixtures.write(dir, HEAD + models);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.errors();
    }

    private static SpecError only(List<SpecError> errors) {
        assertThat(errors).as(errors.toString()).hasSize(1);
        return errors.get(0);
    }

    @Test
    void softmaxKindsAndPopularityWithTheirParams() throws Exception {
        PipelineSpec spec = SpecFixtures.load(dir, HEAD + """
                  - name: rec
                    task: multiclass
                    top-k: 5
                    trainer: {kind: mlp, params: {max-classes: 300, hidden-layers: [32], class-weighting: true}}
                  - name: rec-logistic
                    task: multiclass
                    trainer: {kind: logistic}
                  - name: pop
                    task: multiclass
                    trainer: {kind: popularity, params: {segment: kind}}
                """);
        ModelSpec rec = spec.models().get(0);
        assertThat(rec.task()).isEqualTo(ModelTask.MULTICLASS);
        assertThat(rec.trainer()).isEqualTo(ModelKind.MLP);
        assertThat(rec.params()).isInstanceOfSatisfying(TrainerParams.Multiclass.class, p -> {
            assertThat(p.maxClasses()).isEqualTo(300);
            assertThat(p.dense().hiddenLayers()).containsExactly(32);
            assertThat(p.classWeighting()).isTrue();
            assertThat(p.segment()).isNull();
        });
        assertThat(spec.models().get(1).params()).isInstanceOfSatisfying(TrainerParams.Multiclass.class,
                p -> assertThat(p.maxClasses()).isNull());
        ModelSpec pop = spec.models().get(2);
        assertThat(pop.trainer()).isEqualTo(ModelKind.POPULARITY);
        assertThat(pop.params()).isInstanceOfSatisfying(TrainerParams.Multiclass.class,
                p -> assertThat(p.segment()).isEqualTo("kind"));
        assertThat(spec.features().segmentColumns("kind")).containsExactly("kind_A", "kind_B", "kind_other");
        assertThat(spec.features().segmentColumns("amount")).isEmpty();
    }

    @Test
    void treesOrAnAutoencoderCannotTrainMulticlass() throws Exception {
        SpecError e = only(errors("""
                  - name: rec
                    task: multiclass
                    trainer: {kind: gbdt}
                """));
        assertThat(e.line()).isEqualTo(13);
        assertThat(e.column()).isEqualTo(21);
        assertThat(e.path()).isEqualTo("models[0].trainer.kind");
        assertThat(e.message()).contains("kind gbdt cannot train a multiclass model",
                "logistic (softmax), mlp (softmax) or popularity");
        assertThat(only(errors("""
                  - name: rec
                    task: multiclass
                    trainer: {kind: autoencoder}
                """)).message()).contains("kind autoencoder cannot train a multiclass model");
    }

    @Test
    void popularityIsMulticlassOnly() throws Exception {
        SpecError e = only(errors("""
                  - name: fraud
                    task: binary
                    trainer:
                      kind: popularity
                """));
        assertThat(e.line()).isEqualTo(14);
        assertThat(e.path()).isEqualTo("models[0].trainer.kind");
        assertThat(e.message()).contains("popularity is a multiclass baseline", "use task: multiclass");
    }

    @Test
    void aSegmentMustBeACategoricalFeature() throws Exception {
        SpecError e = only(errors("""
                  - name: pop
                    task: multiclass
                    trainer: {kind: popularity, params: {segment: amount}}
                """));
        assertThat(e.line()).isEqualTo(13);
        assertThat(e.path()).isEqualTo("models[0].trainer.params.segment");
        assertThat(e.message()).contains("'amount', which is not a categorical feature", "categorical features: kind");
    }

    @Test
    void multiclassKeysBelongToTheirKindsAndTask() throws Exception {
        assertThat(only(errors("""
                  - name: fraud
                    task: binary
                    trainer: {kind: logistic, params: {max-classes: 10}}
                """)).message()).contains("unknown key 'max-classes'");
        assertThat(only(errors("""
                  - name: pop
                    task: multiclass
                    trainer: {kind: popularity, params: {hidden-layers: [4]}}
                """)).message()).contains("unknown key 'hidden-layers'", "max-classes, segment");
        assertThat(only(errors("""
                  - name: rec
                    task: multiclass
                    trainer: {kind: logistic, params: {segment: kind}}
                """)).message()).contains("unknown key 'segment'");
        assertThat(only(errors("""
                  - name: rec
                    task: multiclass
                    trainer: {kind: logistic, params: {max-classes: 1}}
                """)).path()).isEqualTo("models[0].trainer.params.max-classes");
    }
}

package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.trainer.model.ModelKind;
import io.riffle.trainer.service.OnWorse;
import io.riffle.trainer.service.TrainerOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

class DemoTrainersTest {

    @Test
    void trainersUseThePipelinesFeatureContractAndTopicsWithTheDemosSchedule() {
        PipelineSpec pipeline = DemoPipeline.loadDefault();
        TrainerOptions o = DemoTrainers.options(pipeline, "localhost:1", BootstrapModels.CLASSIFIER, ModelKind.MLP,
                Duration.ofSeconds(30), Duration.ofMinutes(3), 0.5, 0.9);
        assertThat(o.featureCount()).isEqualTo(pipeline.features().count());
        assertThat(o.specHash()).isEqualTo(pipeline.features().hash());
        assertThat(o.featureNames()).isEqualTo(pipeline.features().names());
        assertThat(o.trainingTopic()).isEqualTo(pipeline.kafka().topics().training());
        assertThat(o.modelsTopic()).isEqualTo(pipeline.kafka().topics().models());
        assertThat(o.training().kind()).isEqualTo(ModelKind.MLP);
        assertThat(o.training().maxEpochs()).isEqualTo(DemoTrainers.MAX_EPOCHS);
        assertThat(o.window()).isEqualTo(Duration.ofMinutes(3));
        assertThat(o.retrainEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.minExamples()).isEqualTo(DemoTrainers.MIN_EXAMPLES);
        assertThat(o.onWorse()).isEqualTo(OnWorse.SHADOW);
        assertThat(o.reviewThreshold()).isEqualTo(0.5);
        assertThat(o.blockThreshold()).isEqualTo(0.9);
    }
}

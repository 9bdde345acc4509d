package io.riffle.modelops.spec;

import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.schemas.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSpecTest {

    @TempDir
    Path dir;

    @Test
    void validFileGivesTypedSpecWithDefaults() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));

        assertThat(p.name()).isEqualTo("pipeline");
        assertThat(p.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(p.kafka().topics().events()).isEqualTo(Topics.EVENTS);
        assertThat(p.kafka().topics().deadLetters()).isEqualTo(Topics.DEAD_LETTERS);
        assertThat(p.eventSchema().getName()).isEqualTo("ShopEvent");
        assertThat(p.events().schemaFile()).isEqualTo(dir.resolve("events.avsc").toAbsolutePath().normalize());
        assertThat(p.events().format()).isEqualTo(DataFormat.AVRO);
        assertThat(p.events().keyField()).isEqualTo("userId");
        assertThat(p.events().timeUnit()).isEqualTo(EventsSpec.TimeUnit.EPOCH_MILLIS);
        assertThat(p.events().allowedLateness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.labels().maxDelay()).isEqualTo(Duration.ofHours(1));
        assertThat(p.labels().implicitNegatives()).isFalse();
        assertThat(p.trainer()).isEqualTo(TrainerSpec.defaults());
        assertThat(p.scoring()).isEqualTo(ScoringSpec.defaults());
        ModelSpec m = p.models().get(0);
        assertThat(m.task()).isEqualTo(io.riffle.schemas.ModelTask.BINARY);
        assertThat(m.trainer()).isEqualTo(ModelKind.LOGISTIC);
        assertThat(m.params()).isInstanceOfSatisfying(TrainerParams.Dense.class, d -> {
            assertThat(d.maxEpochs()).isEqualTo(5);
            assertThat(d.hiddenLayers()).containsExactly(4);
            assertThat(d.learningRate()).isNull();
        });
        assertThat(m.onWorse()).isEqualTo(OnWorse.SHADOW);
        assertThat(m.gateMargin()).isEqualTo(0.002);
        assertThat(m.topK()).isEqualTo(ModelSpec.DEFAULT_TOP_K);
    }

    @Test
    void theTrainerSectionGivesEveryTrainerOption() throws Exception {
        TrainerSpec t = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml") + """
                trainer:
                  min-examples: 200
                  min-positives: 0
                  holdout-fraction: 0.1
                  validation-fraction: 0.3
                  drift: off
                """).trainer();
        assertThat(t.minExamples()).isEqualTo(200);
        assertThat(t.minPositives()).isZero();
        assertThat(t.holdoutFraction()).isEqualTo(0.1);
        assertThat(t.validationFraction()).isEqualTo(0.3);
        assertThat(t.drift().enabled()).isFalse();
        assertThat(t.window()).isEqualTo(TrainerSpec.defaults().window());
        assertThat(TrainerSpec.defaults().drift()).isEqualTo(new DriftSpec(DriftSpec.Detector.ADWIN, 0.002));
    }

    @Test
    void aHoldoutFractionOfZeroMeansNoHoldout() throws Exception {
        TrainerSpec t = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml") + """
                trainer:
                  holdout-fraction: 0
                """).trainer();
        assertThat(t.holdoutFraction()).isEqualTo(TrainerSpec.NO_HOLDOUT);
    }

    @Test
    void featureNamesAreDerivedInVectorOrder() throws Exception {
        FeatureSpec f = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml")).features();

        assertThat(f.names()).containsExactly(
                "amount_log1p", "quantity", "quantity_missing", "online",
                "country_hash_0", "country_hash_1", "country_hash_2", "country_hash_3",
                "kind_A", "kind_B", "kind_other",
                "hour_sin", "hour_cos", "weekday_sin", "weekday_cos",
                "count_1m", "count_1h", "amount_sum_1m", "amount_sum_1h", "amount_std_1h", "country_distinct_1h",
                "time_since_previous", "amount_to_amount_mean_1h");
        assertThat(f.count()).isEqualTo(23);
        assertThat(f.stateWindows()).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1));
        assertThat(f.aggregates().get(4).cap()).isEqualTo(Duration.ofHours(1));
        assertThat(f.hash()).matches("[0-9a-f]{64}");
    }

    @Test
    void shippedPipelinesLoad() throws Exception {
        PipelineSpec demo = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        assertThat(demo.eventSchema().getFields()).extracting(org.apache.avro.Schema.Field::name)
                .containsExactly("eventId", "cardId", "merchantId", "amount", "currency", "country", "channel",
                        "merchantCategory", "eventTime");
        assertThat(demo.features().names()).startsWith("amount_log1p", "channel_POS")
                .contains("count_1m", "amount_mean_24h", "amount_std_24h", "country_distinct_24h",
                        "merchantId_distinct_1h", "time_since_previous", "amount_to_amount_mean_24h");
        assertThat(demo.models()).extracting(ModelSpec::name).containsExactly("fraud", "anomaly");
        assertThat(demo.trainer().retrainEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(demo.scoring().device()).isEqualTo(DeviceRequest.cpu());

        PipelineSpec generic = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        assertThat(generic.events().format()).isEqualTo(DataFormat.JSON);
        assertThat(generic.labels().format()).isEqualTo(DataFormat.JSON);
        assertThat(generic.features().names()).startsWith("x00", "x01").contains("x29", "region_other", "count_10m");
        assertThat(generic.scoring().delivery()).isEqualTo(ScoringSpec.Delivery.AT_LEAST_ONCE);
        assertThat(generic.kafka().topics().events()).isEqualTo("generic.events");
        assertThat(generic.kafka().topics().scores()).isEqualTo(Topics.SCORES);
    }

    @Test
    void durationsParseAndFormatCanonically() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.format(Durations.parse("1d"))).isEqualTo("24h");
        assertThat(Durations.format(Durations.parse("90s"))).isEqualTo("90s");
        assertThat(Durations.format(Durations.parse("60s"))).isEqualTo("1m");
        assertThat(Durations.format(Durations.parse("168h"))).isEqualTo("7d");
        assertThat(Durations.format(Durations.parse("1500ms"))).isEqualTo("1500ms");
    }
}

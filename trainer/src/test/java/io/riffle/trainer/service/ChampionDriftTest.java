package io.riffle.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.spec.DriftSpec;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.model.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The drift watch on a real champion in ONNX Runtime: a rare new kind of positive that the
 * champion misses is found by the positives' detector, and its later cuts come near the change.
 */
class ChampionDriftTest {
    private static final int FEATURES = 8;
    private static final String SPEC = "spec-test";
    private static final double FRAUD_RATE = 0.01;

    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults());

    /** Positives are shifted on features 0..2 (the known kind) or, when {@code newKind}, on 3..5. */
    private static TrainingExample example(int i, Random random, boolean newKind) {
        int label = random.nextDouble() < FRAUD_RATE ? 1 : 0;
        List<Float> values = new ArrayList<>(FEATURES);
        for (int j = 0; j < FEATURES; j++) {
            boolean shifted = label == 1 && (newKind ? j >= 3 && j < 6 : j < 3);
            values.add((float) (random.nextGaussian() + (shifted ? 3.0 : 0)));
        }
        return new TrainingExample("e-" + i, "card-" + random.nextInt(100), (long) i, i + 1L, SPEC, values, label, null);
    }

    private static TrainerOptions options() {
        return TrainerOptions.builder("unused:9092", "fraud", ModelKind.LOGISTIC, FEATURES, SPEC, List.of())
                .training(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(8))
                .minimums(200, 10)
                .drift(DriftSpec.defaults())
                .build();
    }

    /** A champion fitted on the known kind only. */
    private ModelVersion champion(TrainerOptions options) {
        Random random = new Random(1);
        List<TrainingExample> window = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            window.add(example(i, random, false));
        }
        long positives = window.stream().filter(e -> e.getLabel() == 1).count();
        TrainingRound.Result result = new TrainingRound(options, options.featureMask()).run(window, positives);
        assertThat(result).isInstanceOf(TrainingRound.Fitted.class);
        return ModelVersion.newBuilder(((TrainingRound.Fitted) result).candidate()).setVersion(1).build();
    }

    @Test
    void aNewKindOfRarePositiveIsDetectedOnThePositivesAndTheCutsApproachTheChange() {
        TrainerOptions options = options();
        try (ChampionDrift drift = new ChampionDrift(options, loader)) {
            drift.watch(champion(options));
            assertThat(drift.watching()).isEqualTo(1);

            Random random = new Random(2);
            int i = 0;
            for (; i < 30_000; i += 100) {          // the champion's own concept: no alarm
                List<TrainingExample> batch = new ArrayList<>();
                for (int k = 0; k < 100; k++) {
                    batch.add(example(i + k, random, false));
                }
                assertThat(drift.observe(batch)).as("detection before the change, at %d", i).isNull();
            }
            int change = i;
            ChampionDrift.Detection found = null;
            for (; i < change + 30_000 && found == null; i += 100) {
                List<TrainingExample> batch = new ArrayList<>();
                for (int k = 0; k < 100; k++) {
                    batch.add(example(i + k, random, true));
                }
                found = drift.observe(batch);
            }
            assertThat(found).as("a detection within 30,000 examples (about 300 positives) of the change").isNotNull();
            assertThat(found.label()).isEqualTo(1);
            assertThat(found.first()).isTrue();
            assertThat(found.version()).isEqualTo(1);
            assertThat(found.change().increase()).isTrue();
            assertThat(found.describe("fraud")).contains("ADWIN", "fraud v1", "positive examples", "rose from", "share missed");
            long since = i - change;
            // ADWIN's first cut keeps much of what came before the change; the change point estimated
            // within its window comes near the change (a few positives either way: ~100 examples each).
            assertThat(found.kept()).as("the first cut, %d examples after the change", since)
                    .isBetween(since / 2, since + 2_000L);
            assertThat(found.sinceChange()).isPositive();
            ChampionDrift.Detection last = found;
            long lastSince = since;
            for (; i < change + 60_000; i += 100) {
                List<TrainingExample> batch = new ArrayList<>();
                for (int k = 0; k < 100; k++) {
                    batch.add(example(i + k, random, true));
                }
                ChampionDrift.Detection refined = drift.observe(batch);
                if (refined != null) {
                    assertThat(refined.first()).isFalse();
                    last = refined;
                    lastSince = i + 100L - change;
                }
            }
            assertThat(last).as("a later cut").isNotSameAs(found);
            assertThat(last.kept()).as("the last cut, %d examples after the change", lastSince)
                    .isBetween(lastSince / 2, lastSince + 3_000L);
            assertThat(drift.meanError(1)).isGreaterThan(drift.meanError(0));
        }
    }
}

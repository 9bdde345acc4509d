package io.riffle.bench;

import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's models on the bench's own traffic: alerts stay rare, as the bench intends (it
 * measures scoring, not the alerts topic), so every variant writes about one record per event.
 */
class BenchModelsTest {

    @Test
    void alertsAreRareOnTheBenchsTrafficWhateverTheFraudVersion() throws Exception {
        // a card's events one and four a second apart: a producer of 100,000 and 400,000 events/s over 100,000 cards
        for (double perCardPerS : new double[] {1, 4}) {
            float[] rows = benchRows(perCardPerS);
            assertThat(flaggedShare(BenchModels.anomaly(1), rows)).as("anomaly model, %s events/s per card", perCardPerS)
                    .isLessThan(0.01);
            // the swap phase publishes a new fraud version every 2 s: tens of them in a run
            for (int version = 1; version <= 40; version++) {
                assertThat(flaggedShare(BenchModels.fraud(version), rows))
                        .as("fraud v%d, %s events/s per card", version, perCardPerS).isLessThan(0.01);
            }
        }
    }

    /**
     * The features of a stream like a throughput phase's measured part: 4,000 cards (not the calibration's 5,000), after a
     * warm-up's 10 events each, their next 30, the cards' events {@code perCardPerS} a second.
     */
    private static float[] benchRows(double perCardPerS) {
        int n = BenchPipeline.spec().features().count();
        int cards = 4_000;
        int warmup = 10 * cards;
        int events = 40 * cards;
        float[] rows = new float[(events - warmup) * n];
        BenchModels.featureRows(cards, events, perCardPerS, (i, row) -> {
            if (i >= warmup) {
                System.arraycopy(row, 0, rows, (i - warmup) * n, n);
            }
        });
        return rows;
    }

    /** The share of {@code rows} the model's thresholds flag. */
    private static double flaggedShare(ModelVersion model, float[] rows) throws Exception {
        int n = BenchPipeline.spec().features().count();
        int count = rows.length / n;
        float[] out = new float[count];
        try (LoadedModel loaded = new ModelLoader(EngineOptions.defaults())
                .load(model, n, BenchPipeline.spec().features().hash())) {
            int batch = 1_000;
            float[] part = new float[batch];
            for (int from = 0; from < count; from += batch) {
                int size = Math.min(batch, count - from);
                loaded.score(Arrays.copyOfRange(rows, from * n, (from + size) * n), size, part);
                System.arraycopy(part, 0, out, from, size);
            }
        }
        long flagged = 0;
        for (float v : out) {
            flagged += DecisionPolicy.decide(model, v) != Decision.ALLOW ? 1 : 0;
        }
        return (double) flagged / count;
    }
}

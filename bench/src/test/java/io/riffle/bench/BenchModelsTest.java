package io.riffle.bench;

import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench's models on the bench's own traffic: alerts stay rare, as the bench intends (it
 * measures scoring, not the alerts topic), so every variant writes about one record per event.
 */
class BenchModelsTest {

    @Test
    void alertsAreRareOnTheBenchsTraffic() throws Exception {
        // a card's events one and four a second apart: a producer of 100,000 and 400,000 events/s over 100,000 cards
        for (double perCardPerS : new double[] {1, 4}) {
            assertThat(flaggedShare(perCardPerS)).as("share of events flagged with %s events/s per card", perCardPerS)
                    .isLessThan(0.01);
        }
    }

    /**
     * The share of events either model flags, over a stream like a throughput phase's (5,000 cards,
     * a warm-up's 10 events each, then 30 measured), the cards' events {@code perCardPerS} a second.
     */
    private static double flaggedShare(double perCardPerS) throws Exception {
        FeatureExtractor extractor = FeatureExtractor.of(BenchPipeline.spec());
        int n = extractor.count();
        String specHash = BenchPipeline.spec().features().hash();
        int cards = 5_000;
        int events = 40 * cards;
        int batch = 1_000;
        double msPerEvent = 1_000 / (perCardPerS * cards);
        long start = 1_765_000_000_000L;
        Map<String, EntityFeatureState> states = new HashMap<>();
        List<ModelVersion> models = List.of(BenchModels.fraud(1), BenchModels.anomaly(1));
        ModelLoader loader = new ModelLoader(EngineOptions.defaults());
        long[] flaggedBy = new long[models.size()];
        long flagged = 0;
        long scored = 0;
        float[] rows = new float[batch * n];
        float[][] out = new float[models.size()][batch];
        LoadedModel[] loaded = new LoadedModel[models.size()];
        for (int m = 0; m < models.size(); m++) {
            loaded[m] = loader.load(models.get(m), n, specHash);
        }
        try {
            for (int i = 0; i < events; i += batch) {
                for (int r = 0; r < batch; r++) {
                    var t = BenchEvents.event('b', i + r, start + (long) ((i + r) * msPerEvent), cards);
                    extractor.extract(t, states.computeIfAbsent(t.getCardId().toString(), k -> extractor.newState()),
                            rows, r * n);
                }
                if (i < events / 4) {
                    continue;
                }
                for (int m = 0; m < loaded.length; m++) {
                    loaded[m].score(rows, batch, out[m]);
                }
                for (int r = 0; r < batch; r++) {
                    boolean alert = false;
                    for (int m = 0; m < models.size(); m++) {
                        boolean flags = DecisionPolicy.decide(models.get(m), out[m][r]) != Decision.ALLOW;
                        flaggedBy[m] += flags ? 1 : 0;
                        alert |= flags;
                    }
                    flagged += alert ? 1 : 0;
                    scored++;
                }
            }
        } finally {
            for (LoadedModel m : loaded) {
                m.close();
            }
        }
        System.out.printf("bench models at %s events/s per card: %,d of %,d events flagged (fraud %,d, anomaly %,d)%n",
                perCardPerS, flagged, scored, flaggedBy[0], flaggedBy[1]);
        return (double) flagged / scored;
    }
}

package io.riffle.bench;

import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.onnx.OnnxGraphs;
import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The two models every scoring variant serves, for the {@link BenchPipeline}'s features: an n→64→32→1 MLP fraud classifier with fixed
 * seeded weights (a new seed per version, for the swap test) on standardized features, and a
 * diagonal-Gaussian anomaly model; both standardize with the mean and std of a stream shaped like
 * the bench's own ({@link #calibration}). Thresholds are high so that alerts stay rare (well
 * under 1% of the bench's events, {@code BenchModelsTest}): the bench measures scoring, not the
 * alerts topic.
 */
final class BenchModels {
    static final String FRAUD = "fraud";
    static final String ANOMALY = "anomaly";

    private BenchModels() {}

    static ModelVersion fraud(int version) {
        int[] sizes = {features().count(), 64, 32, 1};
        Random r = new Random(1_000L + version);
        float[][][] w = new float[sizes.length - 1][][];
        float[][] b = new float[sizes.length - 1][];
        for (int l = 0; l + 1 < sizes.length; l++) {
            double scale = 1.0 / Math.sqrt(sizes[l]);
            w[l] = new float[sizes[l]][sizes[l + 1]];
            for (float[] row : w[l]) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = (float) (r.nextGaussian() * scale);
                }
            }
            b[l] = new float[sizes[l + 1]];
            for (int j = 0; j < b[l].length; j++) {
                b[l][j] = (float) (r.nextGaussian() * 0.1);
            }
        }
        // On standardized features, as a trained model's first layer sees them: raw, the features'
        // scales (seconds since the previous payment, counts) put some versions' logits far above
        // the block threshold for most events. The first layer takes (x - mean) / std.
        float[][] meanStd = calibration();
        for (int j = 0; j < sizes[1]; j++) {
            double shift = 0;
            for (int i = 0; i < sizes[0]; i++) {
                w[0][i][j] /= meanStd[1][i];
                shift += meanStd[0][i] * (double) w[0][i][j];
            }
            b[0][j] -= (float) shift;
        }
        // Like a real fraud model, almost every payment scores low: alerts stay rare.
        b[b.length - 1][0] = -6f;
        byte[] onnx = OnnxGraphs.denseNetwork(w, b, OutputActivation.SIGMOID);
        return refine(ModelVersions.fromOnnx(onnx, FRAUD, version, ModelTask.BINARY, features().count()));
    }

    static ModelVersion anomaly(int version) {
        float[][] meanStd = calibration();
        byte[] onnx = OnnxGraphs.gaussianAnomaly(meanStd[0], meanStd[1], 4f * meanStd[0].length);
        return refine(ModelVersions.fromOnnx(onnx, ANOMALY, version, ModelTask.ANOMALY, meanStd[0].length));
    }

    /** Cards of the models' calibration stream, each with {@link #CALIBRATION_EVENTS_PER_CARD} events. */
    static final int CALIBRATION_CARDS = 5_000;
    static final int CALIBRATION_EVENTS_PER_CARD = 60;
    /** Events per second per card in the calibration stream's event time (the bench's: its producer's rate over its cards). */
    static final double CALIBRATION_EVENTS_PER_CARD_PER_S = 2;

    private static float[][] calibration;

    /**
     * Both models' per-feature mean and std, from a stream shaped like a throughput phase's:
     * cards with tens of events each, about a second apart in event time (the bench's producer
     * writes some 100,000-400,000 events/s over 100,000 cards). Calibrated on sparse traffic (a
     * card's first event or two) the anomaly model saw every later event's counts and gaps as
     * anomalies and flagged 60% of the bench's events, so riffle wrote an alert beside most scores.
     */
    static synchronized float[][] calibration() {
        if (calibration != null) {
            return calibration;
        }
        int n = features().count();
        double[] sum = new double[n];
        double[] sq = new double[n];
        int rows = CALIBRATION_CARDS * CALIBRATION_EVENTS_PER_CARD;
        featureRows(CALIBRATION_CARDS, rows, CALIBRATION_EVENTS_PER_CARD_PER_S, (i, f) -> {
            for (int j = 0; j < n; j++) {
                sum[j] += f[j];
                sq[j] += (double) f[j] * f[j];
            }
        });
        float[] mean = new float[n];
        float[] std = new float[n];
        for (int j = 0; j < n; j++) {
            mean[j] = (float) (sum[j] / rows);
            std[j] = (float) Math.max(0.1, Math.sqrt(Math.max(0, sq[j] / rows - mean[j] * (double) mean[j])));
        }
        calibration = new float[][] {mean, std};
        return calibration;
    }

    /** Receives event {@code index}'s feature row (a reused array). */
    interface RowSink {
        void accept(int index, float[] row);
    }

    /**
     * The pipeline's features of {@code events} bench events over {@code cards} cards, each card's
     * events {@code perCardPerS} a second apart in event time, as a throughput phase computes them.
     */
    static void featureRows(int cards, int events, double perCardPerS, RowSink sink) {
        FeatureExtractor extractor = FeatureExtractor.of(BenchPipeline.spec());
        Map<String, EntityFeatureState> states = new HashMap<>();
        double msPerEvent = 1_000 / (perCardPerS * cards);
        float[] row = new float[extractor.count()];
        for (int i = 0; i < events; i++) {
            var t = BenchEvents.event('s', i, 1_700_000_000_000L + (long) (i * msPerEvent), cards);
            extractor.extract(t, states.computeIfAbsent(t.getCardId().toString(), k -> extractor.newState()), row, 0);
            sink.accept(i, row);
        }
    }

    private static FeatureSpec features() {
        return BenchPipeline.spec().features();
    }

    private static ModelVersion refine(ModelVersion mv) {
        return ModelVersion.newBuilder(mv)
                .setFeatureSpecHash(features().hash())
                .setFeatureNames(features().names())
                .setReviewThreshold(0.995)
                .setBlockThreshold(0.9995)
                .build();
    }
}

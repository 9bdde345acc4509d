package io.riffle.modelops.validation;

import ai.onnxruntime.OrtException;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.serving.ModelScoringException;
import io.riffle.schemas.ModelTask;

import java.util.Arrays;
import java.util.Random;

/**
 * The behaviour check of a model before it serves: a fixed batch (a row of zeros, a row of ones,
 * then fixed-seed standard-normal rows) must give finite outputs in [0,1] in every output column,
 * and the serving path must score it once without failing.
 */
final class GoldenBatch {
    /** Rows in the golden batch: zeros, ones, then fixed-seed standard-normal rows. */
    static final int ROWS = 8;

    private static final long SEED = 20261122L;

    private GoldenBatch() {}

    static void check(String label, LoadedModel model, ModelTask task) throws ModelRejectedException {
        int n = model.featureCount();
        float[] batch = rows(n);
        float[] all;
        try {
            all = model.scoreAllColumns(batch, ROWS);
        } catch (OrtException | ModelScoringException e) {
            throw new ModelRejectedException(label + ": scoring the golden batch (" + ROWS + " rows) failed: "
                    + e.getMessage(), e);
        }
        int width = model.outputWidth();
        for (int i = 0; i < all.length; i++) {
            float v = all[i];
            int row = i / width;
            String where = "golden row " + row + " (" + rowKind(row) + ")" + (width > 1 ? " column " + (i % width) : "");
            if (!Float.isFinite(v)) {
                throw new ModelRejectedException(label + ": non-finite output " + v + " for " + where
                        + "; the graph must give finite values for every input (check divisions, logs and exps)");
            }
            if (v < -LoadedModel.RANGE_SLACK || v > 1f + LoadedModel.RANGE_SLACK) {
                throw new ModelRejectedException(label + ": output " + v + " for " + where + " is outside [0,1]: "
                        + (task == ModelTask.ANOMALY ? "anomaly" : "binary")
                        + " outputs must be probabilities/scores in [0,1]; add a Sigmoid to the graph");
            }
        }
        // Exercise the serving path once, so a model that only fails there is rejected here.
        model.score(batch, ROWS, new float[ROWS]);
    }

    private static String rowKind(int row) {
        return row == 0 ? "zeros" : row == 1 ? "ones" : "normal(0,1)";
    }

    /** The golden batch: a row of zeros, a row of ones, then fixed-seed standard-normal rows. */
    static float[] rows(int n) {
        float[] batch = new float[ROWS * n];
        Arrays.fill(batch, n, 2 * n, 1f);
        Random random = new Random(SEED);
        for (int i = 2 * n; i < batch.length; i++) {
            batch[i] = (float) random.nextGaussian();
        }
        return batch;
    }
}

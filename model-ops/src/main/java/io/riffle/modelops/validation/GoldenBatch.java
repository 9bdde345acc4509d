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

    /** How far a probability row's sum may be from 1: float rounding over thousands of classes. */
    static final double ROW_SUM_TOLERANCE = 1e-3;

    static void check(String label, LoadedModel model, ModelTask task) throws ModelRejectedException {
        if (model.isMulticlass()) {
            checkClasses(label, model);
            return;
        }
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

    /**
     * Every row of a multiclass model's golden batch, after softmax when it outputs logits, must be
     * finite, in [0,1] and sum to 1: a row that does not is not a distribution over its classes,
     * and its top-k would rank by something else.
     */
    private static void checkClasses(String label, LoadedModel model) throws ModelRejectedException {
        int width = model.classCount();
        float[] probs = new float[ROWS * width];
        float[] raw;
        try {
            raw = model.scoreAllColumns(rows(model.featureCount()), ROWS);
            model.probabilities(rows(model.featureCount()), ROWS, probs);
        } catch (OrtException | ModelScoringException e) {
            throw new ModelRejectedException(label + ": scoring the golden batch (" + ROWS + " rows) failed: "
                    + e.getMessage(), e);
        }
        boolean logits = LoadedModel.LOGITS.equals(model.version().getOutputKind());
        for (int row = 0; row < ROWS; row++) {
            double sum = 0;
            for (int k = 0; k < width; k++) {
                int i = row * width + k;
                String where = "golden row " + row + " (" + rowKind(row) + ") class " + k + " ('"
                        + model.classLabel(k) + "')";
                if (!Float.isFinite(raw[i])) {
                    throw new ModelRejectedException(label + ": non-finite output " + raw[i] + " for " + where
                            + "; the graph must give finite values for every input (check divisions, logs and exps)");
                }
                float v = probs[i];
                if (v < -LoadedModel.RANGE_SLACK || v > 1f + LoadedModel.RANGE_SLACK) {
                    throw new ModelRejectedException(label + ": output " + v + " for " + where + " is outside [0,1]:"
                            + " a probabilities model must output a distribution per row; if it outputs logits,"
                            + " publish it with output kind logits (--output-kind logits)");
                }
                sum += v;
            }
            if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
                throw new ModelRejectedException(label + ": golden row " + row + " (" + rowKind(row) + ") sums to "
                        + String.format(java.util.Locale.ROOT, "%.6f", sum) + " over its " + width + " classes"
                        + (logits ? " after softmax" : "") + "; the rows of a multiclass model's probabilities"
                        + " must sum to 1 (add a Softmax, or publish it with --output-kind logits)");
            }
        }
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

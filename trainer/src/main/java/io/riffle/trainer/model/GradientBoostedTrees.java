package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.data.Dataset;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GBDT: XGBoost ({@code binary:logistic}, {@code hist}) boosted one round at a time so every
 * round reaches the progress listener and early stopping can keep the best round count.
 * NaN features are missing values: XGBoost learns a default branch per split and the ONNX
 * export follows it. Predictions come from the booster itself, limited to the kept rounds.
 *
 * <p>Columns a {@link FeatureMask} ignores are missing in every training and validation row, so
 * XGBoost finds no split on them and no tree (hence neither the booster nor the graph) reads them.
 * The fit checks that, as the promise rests on it.
 */
final class GradientBoostedTrees implements TrainedModel {

    private static final Logger LOG = LoggerFactory.getLogger(GradientBoostedTrees.class);

    /** Boosting rounds are cheap and noisy; fewer than this many non-improving rounds never stop a fit. */
    static final int MIN_EARLY_STOPPING_ROUNDS = 10;

    private final Booster booster;
    private final FeatureMask mask;
    private final int features;
    private final int rounds;
    private final XGBoostTrees trees;
    private final boolean converged;
    private final String summary;

    private GradientBoostedTrees(Booster booster, FeatureMask mask, int rounds, XGBoostTrees trees, boolean converged,
                                 String summary) {
        this.booster = booster;
        this.mask = mask;
        this.features = mask.features();
        this.rounds = rounds;
        this.trees = trees;
        this.converged = converged;
        this.summary = summary;
    }

    static GradientBoostedTrees fit(TrainerConfig config, FeatureMask mask, Dataset fullTrain, Dataset fullValidation,
                                    ProgressListener progress) {
        Dataset train = mask.blank(fullTrain);
        Dataset validation = mask.blank(fullValidation);
        long positives = train.positives();
        long negatives = train.rows() - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("gbdt needs both classes in the training set, got "
                    + positives + " positives and " + negatives + " negatives");
        }
        long start = System.nanoTime();
        DMatrix trainMatrix = null;
        DMatrix validationMatrix = null;
        try {
            trainMatrix = matrix(train);
            boolean validate = validation.rows() > 0;
            validationMatrix = validate ? matrix(validation) : null;
            double positiveWeight = config.classWeighting()
                    ? Math.min(DenseClassifier.MAX_POSITIVE_WEIGHT, (double) negatives / positives) : 1.0;
            Map<String, Object> params = new HashMap<>();
            params.put("objective", "binary:logistic");
            params.put("tree_method", "hist");
            params.put("max_depth", config.maxDepth());
            params.put("eta", config.eta());
            params.put("nthread", config.threads());
            params.put("seed", config.seed());
            params.put("scale_pos_weight", positiveWeight);
            params.put("eval_metric", "logloss");
            params.put("verbosity", 0);
            Booster booster = XGBoost.train(trainMatrix, params, 0, Map.of(), null, null);

            // Only the validation set is evaluated per round: scoring the training set as well
            // made a 900k-row fit about 50% slower, so the listener gets NaN as training loss.
            DMatrix[] evalMatrices = {validationMatrix};
            String[] evalNames = {"validation"};
            int stopAfter = config.patience() == 0 ? Integer.MAX_VALUE
                    : Math.max(MIN_EARLY_STOPPING_ROUNDS, config.patience());
            double best = Double.POSITIVE_INFINITY;
            int bestRounds = 0;
            int round = 0;
            boolean converged = false;
            while (round < config.trees()) {
                booster.update(trainMatrix, round);
                round++;
                double validationLoss = validate
                        ? parseEval(booster.evalSet(evalMatrices, evalNames, round - 1)).getOrDefault("validation", Double.NaN)
                        : Double.NaN;
                progress.epoch(round, Double.NaN, validationLoss);
                if (!validate) {
                    bestRounds = round;
                } else if (validationLoss < best) {
                    best = validationLoss;
                    bestRounds = round;
                } else if (round - bestRounds >= stopAfter) {
                    converged = true;
                    break;
                }
            }
            if (bestRounds == 0) {
                bestRounds = round; // validation loss was NaN throughout: keep everything
            }
            XGBoostTrees trees = XGBoostTrees.parse(booster.toByteArray("json"), train.features(), bestRounds);
            trees.requireUnused(mask);
            String summary = String.format(Locale.ROOT, "gbdt %d trees (of %d boosted)%s, depth %d, eta %s, val loss %.4f, "
                    + "scale_pos_weight %.1f", bestRounds, round, DenseClassifier.ignoring(mask), config.maxDepth(),
                    config.eta(), validate ? best : Double.NaN, positiveWeight);
            LOG.info("fitted {} on {} rows in {} ms", summary, train.rows(), (System.nanoTime() - start) / 1_000_000);
            return new GradientBoostedTrees(booster, mask, bestRounds, trees, converged, summary);
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new IllegalStateException("XGBoost's native library could not be loaded (" + e
                    + "); on Linux it needs the OpenMP runtime libgomp.so.1 (e.g. apt-get install libgomp1)", e);
        } finally {
            if (trainMatrix != null) {
                trainMatrix.dispose();
            }
            if (validationMatrix != null) {
                validationMatrix.dispose();
            }
        }
    }

    private static DMatrix matrix(Dataset data) throws XGBoostError {
        DMatrix m = new DMatrix(data.x(), data.rows(), data.features(), Float.NaN);
        float[] labels = new float[data.rows()];
        int[] y = data.labels();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = y[i];
        }
        m.setLabel(labels);
        return m;
    }

    /** Reads {@code "[3]\ttrain-logloss:0.41\tvalidation-logloss:0.43"}. */
    static Map<String, Double> parseEval(String line) {
        Map<String, Double> result = new HashMap<>();
        for (String part : line.split("\t")) {
            int dash = part.indexOf('-');
            int colon = part.lastIndexOf(':');
            if (dash > 0 && colon > dash) {
                result.put(part.substring(0, dash), Double.parseDouble(part.substring(colon + 1)));
            }
        }
        return result;
    }

    @Override
    public ModelKind kind() {
        return ModelKind.GBDT;
    }

    @Override
    public ModelTask task() {
        return ModelTask.BINARY;
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public float[] predict(Dataset data) {
        DenseClassifier.requireFeatures(data, features);
        if (data.rows() == 0) {
            return new float[0];
        }
        try {
            // No tree reads an ignored column; blanking it keeps XGBoost from rejecting an infinite value there.
            float[][] out = booster.inplace_predict(mask.blank(data).x(), data.rows(), features, Float.NaN,
                    new int[] {0, rounds});
            float[] scores = new float[data.rows()];
            for (int r = 0; r < scores.length; r++) {
                scores[r] = out[r][0];
            }
            return scores;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed to predict " + data.rows() + " rows: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] toOnnx() {
        return trees.toOnnx();
    }

    /** Early stopping ended the boosting before the tree cap ({@link TrainerConfig#trees()}). */
    @Override
    public boolean converged() {
        return converged;
    }

    @Override
    public String summary() {
        return summary;
    }
}

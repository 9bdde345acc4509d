package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import java.util.List;
import java.util.Objects;

/**
 * How to fit a model. Dense kinds use {@code hiddenLayers, maxEpochs, batchSize, learningRate,
 * l2, patience}; classifiers also {@code classWeighting}; GBDT uses {@code trees, maxDepth, eta,
 * threads, classWeighting, patience}. {@code seed} makes a fit reproducible. A LOGISTIC window
 * small enough for Newton's method uses {@code classWeighting} only (see {@link DenseClassifier}).
 *
 * @param hiddenLayers  widths of the ReLU hidden layers (ignored by LOGISTIC, which has none)
 * @param maxEpochs     a safety cap on the dense kinds' epochs: patience is what ends a fit, and
 *                      one that reaches the cap reports it ({@link TrainedModel#converged()})
 * @param patience      epochs (GBDT: {@code max(10, patience)} rounds) without a better
 *                      validation loss before stopping; 0 disables early stopping
 * @param classWeighting weight positives by negatives/positives (capped at 50) for the dense
 *                      classifiers, {@code scale_pos_weight} (same cap) for GBDT
 */
public record TrainerConfig(ModelKind kind, List<Integer> hiddenLayers, int maxEpochs, int batchSize,
                            double learningRate, double l2, int patience, boolean classWeighting,
                            int trees, int maxDepth, double eta, int threads, long seed) {

    /**
     * Far above what early stopping needs (a logistic fit on 180,000 rows stops after about 70
     * epochs), so that only a fit still improving meets it.
     */
    public static final int DEFAULT_MAX_EPOCHS = 500;

    public TrainerConfig {
        Objects.requireNonNull(kind, "kind");
        hiddenLayers = List.copyOf(Objects.requireNonNull(hiddenLayers, "hiddenLayers"));
        for (int h : hiddenLayers) {
            if (h <= 0) {
                throw new IllegalArgumentException("hidden layer widths must be > 0, got " + hiddenLayers);
            }
        }
        if (kind == ModelKind.AUTOENCODER && hiddenLayers.isEmpty()) {
            throw new IllegalArgumentException("an autoencoder needs at least one hidden layer");
        }
        requirePositive("maxEpochs", maxEpochs);
        requirePositive("batchSize", batchSize);
        requirePositive("trees", trees);
        requirePositive("maxDepth", maxDepth);
        requirePositive("threads", threads);
        if (!(learningRate > 0) || !(eta > 0)) {
            throw new IllegalArgumentException("learningRate and eta must be > 0, got " + learningRate + " and " + eta);
        }
        if (!(l2 >= 0) || patience < 0) {
            throw new IllegalArgumentException("l2 and patience must be >= 0, got " + l2 + " and " + patience);
        }
    }

    /** Sensible settings per kind. */
    public static TrainerConfig defaults(ModelKind kind) {
        List<Integer> hidden = switch (kind) {
            case MLP -> List.of(32, 16);
            case AUTOENCODER -> List.of(8, 4, 8);
            case LOGISTIC, GBDT, POPULARITY -> List.of();
        };
        return new TrainerConfig(kind, hidden, DEFAULT_MAX_EPOCHS, 256, 1e-3, 1e-5, 3, true, 200, 6, 0.1, 2, 42L);
    }

    /**
     * Settings for a multiclass model of {@code kind} ({@link SoftmaxClassifier}): class weighting
     * off, and a batch of 512 at learning rate 0.01, which a softmax over a thousand classes needs
     * to converge in tens of epochs rather than hundreds; a MLP's hidden layers are 64 wide.
     */
    public static TrainerConfig multiclassDefaults(ModelKind kind) {
        TrainerConfig c = defaults(kind).withClassWeighting(false).withBatchSize(512).withLearningRate(0.01)
                .withMaxEpochs(200);
        return kind == ModelKind.MLP ? c.withHiddenLayers(List.of(64)).withLearningRate(0.003) : c;
    }

    public TrainerConfig withMaxEpochs(int value) {
        return new TrainerConfig(kind, hiddenLayers, value, batchSize, learningRate, l2, patience, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withSeed(long value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                trees, maxDepth, eta, threads, value);
    }

    public TrainerConfig withTrees(int value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                value, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withHiddenLayers(List<Integer> value) {
        return new TrainerConfig(kind, value, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withPatience(int value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, value, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withLearningRate(double value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, value, l2, patience, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withBatchSize(int value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, value, learningRate, l2, patience, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withL2(double value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, value, patience, classWeighting,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withClassWeighting(boolean value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, value,
                trees, maxDepth, eta, threads, seed);
    }

    public TrainerConfig withThreads(int value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                trees, maxDepth, eta, value, seed);
    }

    public TrainerConfig withMaxDepth(int value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                trees, value, eta, threads, seed);
    }

    public TrainerConfig withEta(double value) {
        return new TrainerConfig(kind, hiddenLayers, maxEpochs, batchSize, learningRate, l2, patience, classWeighting,
                trees, maxDepth, value, threads, seed);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}

package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The epoch loop shared by the dense kinds: shuffled mini-batches, Adam, a validation pass after
 * every epoch, early stopping with patience, and the best epoch's weights restored at the end.
 * Patience is what ends a fit; {@link TrainerConfig#maxEpochs()} is a safety cap, and a fit that
 * reaches it says so ({@link Outcome#converged()} false).
 */
final class DenseTraining {

    /** Loss of one standardised batch; sets the network's gradients when {@code gradient}. */
    @FunctionalInterface
    interface BatchLoss {
        double apply(double[] standardised, int[] rowIds, int from, int count, boolean gradient);
    }

    /** Why the loop ended. */
    enum End {
        /** Patience ran out: no better validation loss for {@code patience} epochs. */
        CONVERGED,
        /** The epoch cap, with early stopping on: the validation loss was still improving lately. */
        CAPPED,
        /** The epoch cap, with nothing to stop earlier: no validation set, or patience 0. */
        CAPPED_UNMONITORED
    }

    /** What happened: epochs run, the epoch whose weights were kept, its validation loss, and why it ended. */
    record Outcome(int epochs, int bestEpoch, double bestValidationLoss, End end) {

        boolean converged() {
            return end == End.CONVERGED;
        }

        /** E.g. {@code "converged after 84 epochs (best 79)"}, {@code "capped at 500 epochs, still improving (best 500)"}. */
        String describe() {
            return switch (end) {
                case CONVERGED -> String.format(Locale.ROOT, "converged after %d epochs (best %d)", epochs, bestEpoch);
                case CAPPED -> String.format(Locale.ROOT, "capped at %d epochs%s (best %d)", epochs,
                        bestEpoch == epochs ? ", still improving" : "", bestEpoch);
                case CAPPED_UNMONITORED -> String.format(Locale.ROOT, "capped at %d epochs, no early stopping%s",
                        epochs, Double.isNaN(bestValidationLoss) ? " (no validation set)" : " (patience 0, best " + bestEpoch + ")");
            };
        }
    }

    static final int MIN_BATCH = 16;
    static final int MIN_STEPS_PER_EPOCH = 50;

    private DenseTraining() {}

    static Outcome run(DenseNetwork net, TrainerConfig config, Standardizer standardizer,
                       Dataset train, BatchLoss trainLoss, Dataset validation, BatchLoss validationLoss,
                       ProgressListener progress) {
        SplittableRandom random = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        int d = train.features();
        // A small window would otherwise give a handful of Adam steps per epoch and stop long before
        // it fits; smaller batches keep at least MIN_STEPS_PER_EPOCH steps (large windows unchanged).
        int batch = Math.min(config.batchSize(), Math.max(MIN_BATCH, train.rows() / MIN_STEPS_PER_EPOCH));
        double[] buffer = new double[batch * d];
        int[] order = identity(train.rows());
        int[] validationIds = identity(validation.rows());
        Adam adam = new Adam(net.parameters(), config.learningRate());
        boolean validate = validation.rows() > 0;

        double best = Double.POSITIVE_INFINITY;
        double[][] bestWeights = null;
        int bestEpoch = 0;
        int sinceBest = 0;
        int epoch = 0;
        boolean converged = false;
        while (epoch < config.maxEpochs()) {
            epoch++;
            shuffle(order, random);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < order.length; from += batch) {
                int count = Math.min(batch, order.length - from);
                standardizer.fill(train, order, from, count, buffer);
                lossSum += trainLoss.apply(buffer, order, from, count, true);
                batches++;
                adam.step(net.gradients());
            }
            double epochTrainLoss = lossSum / Math.max(1, batches);
            double epochValidationLoss = validate
                    ? meanLoss(standardizer, validation, validationIds, validationLoss, buffer, batch)
                    : Double.NaN;
            progress.epoch(epoch, epochTrainLoss, epochValidationLoss);
            if (!validate) {
                bestEpoch = epoch;
                continue;
            }
            // NaN never counts as better, so a diverged epoch cannot replace good weights.
            if (epochValidationLoss < best) {
                best = epochValidationLoss;
                bestWeights = net.snapshot();
                bestEpoch = epoch;
                sinceBest = 0;
            } else if (config.patience() > 0 && ++sinceBest >= config.patience()) {
                converged = true;
                break;
            }
        }
        if (bestWeights != null) {
            net.restore(bestWeights);
        }
        End end = converged ? End.CONVERGED
                : validate && config.patience() > 0 ? End.CAPPED : End.CAPPED_UNMONITORED;
        return new Outcome(epoch, bestEpoch, validate ? best : Double.NaN, end);
    }

    /** Row-count-weighted mean of {@code loss} over all of {@code data}, without gradients. */
    static double meanLoss(Standardizer standardizer, Dataset data, int[] ids, BatchLoss loss, double[] buffer,
                           int batch) {
        double sum = 0;
        for (int from = 0; from < ids.length; from += batch) {
            int count = Math.min(batch, ids.length - from);
            standardizer.fill(data, ids, from, count, buffer);
            sum += loss.apply(buffer, ids, from, count, false) * count;
        }
        return sum / Math.max(1, ids.length);
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

package io.riffle.trainer.service;

import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.drift.Adwin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * The drift watch of one trainer: the current champion, loaded in ONNX Runtime as the scorer
 * serves it, scores each labeled example as it arrives (test-then-train: before any round can
 * train on it), and {@link Adwin} watches the champion's per-example error, the Brier loss
 * {@code (p − y)²} in [0, 1]. A rise is a {@link Detection}; a fall is not (the model got better
 * or the stream easier: nothing to retrain for). A new champion resets the detector.
 *
 * <p>One detector per class, as DDM-OCI does for imbalanced streams (Wang, Minku, Ghezzi,
 * Caltabiano, Tiňo and Yao, "Concept drift detection for online class imbalance learning",
 * IJCNN 2013): a new kind of fraud that the champion misses raises the error on the positives
 * (one example in a hundred) long before it moves the error over all examples, which the
 * negatives dominate. Either detector's rise is a detection; the examples since the change are
 * counted over both classes.
 */
final class ChampionDrift implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChampionDrift.class);
    /** Ordinals remembered per class: a change further back than this keeps the whole window. */
    static final int RECENT = 1 << 16;

    private final TrainerOptions options;
    private final ModelLoader loader;
    /** The detectors of the negatives' and the positives' error. */
    private final Adwin[] adwins = new Adwin[2];
    /** Per class, the ordinals (over all examples observed) of its newest {@value #RECENT} examples. */
    private final long[][] recent = new long[2][RECENT];
    private final long[] seen = new long[2];
    private long observed;
    private LoadedModel champion;
    private boolean reported;
    private float[] x = new float[0];
    private float[] p = new float[0];

    /**
     * A detected rise of the champion's error.
     *
     * @param version the champion's version
     * @param label the class whose error rose (0 or 1)
     * @param change ADWIN's finding: the dropped (older) and kept (newer) parts and their mean errors
     * @param kept the examples of both classes since the change (the part of the window a retrain
     *             should use); {@link Long#MAX_VALUE} when the change lies further back than remembered
     * @param first whether it is the first detection for this champion (later ones refine the cut)
     */
    record Detection(int version, int label, Adwin.Change change, long kept, boolean first) {

        String describe(String model) {
            return String.format(Locale.ROOT, "ADWIN: the error (Brier) of %s v%d on %s examples rose from %.4f to"
                            + " %.4f over its last %,d of them", model, version, label == 1 ? "positive" : "negative",
                    change.meanBefore(), change.meanAfter(), change.kept());
        }
    }

    ChampionDrift(TrainerOptions options, ModelLoader loader) {
        this.options = options;
        this.loader = loader;
        this.adwins[0] = new Adwin(options.drift().delta());
        // The positives are rare (one in a hundred in fraud): a check every 32 of them would be a check
        // every few seconds, so this detector checks at every one (cheap at their rate).
        this.adwins[1] = new Adwin(options.drift().delta(), 5, 1, 10);
    }

    /** Watches {@code mv} (null: none) from now on; the same version keeps the detector's window. */
    void watch(ModelVersion mv) {
        if (mv == null || (champion != null && champion.versionNumber() == mv.getVersion()
                && champion.name().equals(mv.getName()))) {
            return;
        }
        close();
        try {
            champion = loader.load(mv, options.featureCount(), options.specHash());
            LOG.info("Drift watch of {}: watching the error of v{}", options.modelName(), mv.getVersion());
        } catch (ModelRejectedException e) {
            LOG.warn("Drift watch of {}: cannot load v{}: {}", options.modelName(), mv.getVersion(), e.getMessage());
        }
    }

    /** The version watched, or 0 when none. */
    int watching() {
        return champion == null ? 0 : champion.versionNumber();
    }

    /** Scores {@code examples} with the champion and feeds their errors; a rise of the error, or null. */
    Detection observe(List<TrainingExample> examples) {
        if (champion == null || examples.isEmpty()) {
            return null;
        }
        int f = options.featureCount();
        int n = examples.size();
        if (x.length < n * f) {
            x = new float[n * f];
            p = new float[n];
        }
        for (int r = 0; r < n; r++) {
            List<Float> values = examples.get(r).getValues();
            for (int j = 0; j < f; j++) {
                Float v = values.get(j);
                x[r * f + j] = v == null ? Float.NaN : v;
            }
        }
        champion.score(x, n, p);
        Detection found = null;
        for (int r = 0; r < n; r++) {
            int y = examples.get(r).getLabel() > 0 ? 1 : 0;
            double error = (p[r] - y) * (p[r] - y);
            long ordinal = observed++;
            recent[y][(int) (seen[y]++ % RECENT)] = ordinal;
            Adwin adwin = adwins[y];
            if (adwin.add(error) && adwin.lastChange().increase()) {
                // Several cuts in one batch are one detection: the first for this champion if any was.
                boolean first = !reported || (found != null && found.first());
                found = new Detection(champion.versionNumber(), y, adwin.lastChange(),
                        keptSince(y, adwin.lastChange().kept()), first);
                reported = true;
            }
        }
        return found;
    }

    /** Examples of both classes observed since the {@code kept}-th newest example of class {@code y}. */
    private long keptSince(int y, long kept) {
        if (kept <= 0) {
            return 0;
        }
        if (kept > Math.min(RECENT, seen[y])) {
            return Long.MAX_VALUE;
        }
        long first = recent[y][(int) ((seen[y] - kept) % RECENT)];
        return observed - first;
    }

    /** Mean error of the champion on class {@code y} since its last change (NaN before any example). */
    double meanError(int y) {
        return adwins[y].mean();
    }

    @Override
    public void close() {
        if (champion != null) {
            champion.close();
            champion = null;
        }
        adwins[0].reset();
        adwins[1].reset();
        seen[0] = 0;
        seen[1] = 0;
        observed = 0;
        reported = false;
    }
}

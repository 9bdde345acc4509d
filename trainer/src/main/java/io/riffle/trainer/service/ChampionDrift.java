package io.riffle.trainer.service;

import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.drift.Adwin;
import io.riffle.trainer.drift.ChangePoint;
import io.riffle.trainer.drift.RecentScores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * The drift watch of one trainer: the current champion, loaded in ONNX Runtime as the scorer
 * serves it, scores each labeled example as it arrives (test-then-train: before any round can
 * train on it), and {@link Adwin} watches the champion's per-example error in [0, 1]. A rise is a
 * {@link Detection}; a fall is not (the model got better or the stream easier: nothing to retrain
 * for). A new champion resets the detector.
 *
 * <p>One detector per class, as DDM-OCI does for imbalanced streams (Wang, Minku, Ghezzi,
 * Caltabiano, Tiňo and Yao, "Concept drift detection for online class imbalance learning",
 * IJCNN 2013): a new kind of fraud that the champion misses raises the error on the positives
 * (one example in a hundred) long before it moves the error over all examples, which the
 * negatives dominate. Either detector's rise is a detection; the examples since the change are
 * counted over both classes.
 *
 * <p>The error of a negative is its Brier loss {@code p²} (a rise: more false alarms). The error
 * of a positive is 1 when the champion misses it at a {@value #MISS_FPR} false-positive rate
 * (more than that share of the newest {@value #REFERENCE_NEGATIVES} negatives score above it),
 * else 0: a positive's rank, not its probability, as a fraud team reads a model (what it catches
 * at the alert rate it can afford). In the demo, the Brier loss of the positives barely moved
 * when a new kind of fraud appeared (0.036 to 0.048, found after 30 s, because the champion's
 * scores on known fraud vary), and the mean rank error (1 − AUC) moved too little for ADWIN's
 * bound (found after 36 s); the share missed rose from about 3% to about 50% (found after 18 s
 * in a replay of the demo's stream, 5-15 s label delay).
 *
 * <p>On a detection, {@link ChangePoint} estimates where within ADWIN's window the error rose,
 * and the detection keeps the examples since then.
 */
final class ChampionDrift implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChampionDrift.class);
    /** Ordinals remembered per class: a change further back than this keeps the whole window. */
    static final int RECENT = 1 << 16;
    /** How many recent negatives a positive is ranked against. */
    static final int REFERENCE_NEGATIVES = 1_000;
    /** Positives are not ranked (nor fed to their detector) until this many negatives were scored. */
    static final int MIN_REFERENCE = 100;
    /** A positive is missed when more than this share of the recent negatives score above it. */
    static final double MISS_FPR = 0.05;
    /** The positives' detector's δ, as a multiple of the configured one (see the constructor). */
    static final double POSITIVES_DELTA_FACTOR = 5;
    /** Fewest examples of a class on either side of an estimated change point. */
    private static final int MIN_SIDE = 5;

    private final TrainerOptions options;
    private final ModelLoader loader;
    /** The detectors of the negatives' and the positives' error. */
    private final Adwin[] adwins = new Adwin[2];
    /** Per class, the ordinals (over all examples observed) of its newest {@value #RECENT} examples. */
    private final long[][] recent = new long[2][RECENT];
    /** Per class, the errors of those examples, in the same slots. */
    private final float[][] errors = new float[2][RECENT];
    private final long[] seen = new long[2];
    /** The champion's scores of the newest negatives, which a positive's score is ranked against. */
    private final RecentScores negatives = new RecentScores(REFERENCE_NEGATIVES);
    private long observed;
    private LoadedModel champion;
    /** Per class, whether a rise of its error was reported for this champion. */
    private final boolean[] reported = new boolean[2];
    private float[] x = new float[0];
    private float[] p = new float[0];

    /**
     * A detected rise of the champion's error.
     *
     * @param version the champion's version
     * @param label the class whose error rose (0 or 1)
     * @param change ADWIN's finding: the dropped (older) and kept (newer) parts and their mean errors
     * @param sinceChange the examples of class {@code label} after the most likely change point
     *                    ({@link ChangePoint}) within ADWIN's window
     * @param kept the examples of both classes since that point (the part of the window a retrain
     *             should use); {@link Long#MAX_VALUE} when it lies further back than remembered
     * @param first whether it is the first detection of this class's error for this champion (later ones
     *              refine the cut)
     */
    record Detection(int version, int label, Adwin.Change change, long sinceChange, long kept, boolean first) {

        String describe(String model) {
            String error = label == 1 ? String.format(Locale.ROOT, "share missed at %.0f%% false positives",
                    MISS_FPR * 100) : "Brier";
            return String.format(Locale.ROOT, "ADWIN: the error (%s) of %s v%d on %s examples rose from %.4f to"
                            + " %.4f; the change came %,d of them ago", error, model, version,
                    label == 1 ? "positive" : "negative", change.meanBefore(), change.meanAfter(), sinceChange);
        }
    }

    ChampionDrift(TrainerOptions options, ModelLoader loader) {
        this.options = options;
        this.loader = loader;
        this.adwins[0] = new Adwin(options.drift().delta());
        // The positives are rare (one in a hundred in fraud): a check every 32 of them would be a check
        // every few seconds, so this detector checks at every one (cheap at their rate). Its errors are 0/1
        // misses, about 3% before a new kind of fraud and about half after; with δ = 0.002 ADWIN's bound
        // wants ~30 misses, with 5δ ~20: in replays of the demo's stream (6 seeds, 5-15 s label delay) the
        // detection came after 17.2 s on average with δ, 15.6 s with 5δ, and neither raised a false alarm
        // in the 2 minutes before the change (nor does 5δ in ChampionDriftTest's 30,000 examples).
        this.adwins[1] = new Adwin(Math.min(0.5, options.drift().delta() * POSITIVES_DELTA_FACTOR), 5, 1, 10);
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
            double error;
            if (y == 0) {
                error = (double) p[r] * p[r];
                negatives.add(p[r]);
            } else if (negatives.size() >= MIN_REFERENCE) {
                error = negatives.shareAbove(p[r]) > MISS_FPR ? 1 : 0;
            } else {
                error = Double.NaN;     // nothing to rank it against yet: counted, not fed
            }
            long ordinal = observed++;
            if (Double.isNaN(error)) {
                continue;               // not fed: the ordinals of class y stay those ADWIN counts
            }
            int slot = (int) (seen[y]++ % RECENT);
            recent[y][slot] = ordinal;
            errors[y][slot] = (float) error;
            Adwin adwin = adwins[y];
            if (adwin.add(error) && adwin.lastChange().increase()) {
                // Several cuts in one batch are one detection: the first for this champion and class if any was.
                // Each class's first detection is a first: a slow rise of the negatives' error found before
                // a new kind of positive must not make the positives' sharper cut a mere refinement.
                boolean first = !reported[y] || (found != null && found.first());
                Adwin.Change change = adwin.lastChange();
                long since = changePoint(y, change.dropped() + change.kept());
                found = new Detection(champion.versionNumber(), y, change, since, keptSince(y, since), first);
                reported[y] = true;
            }
        }
        return found;
    }

    /**
     * How many of the newest {@code span} errors of class {@code y} (ADWIN's window before its cut)
     * come after the most likely rise: ADWIN drops only as much of the older part as its bound
     * needs, so right after a detection its window still holds much of what came before the
     * change; the retrain should start at the change.
     */
    private long changePoint(int y, long span) {
        int n = (int) Math.min(span, Math.min(RECENT, seen[y]));
        if (n < 2 * MIN_SIDE) {
            return span;
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = errors[y][(int) ((seen[y] - n + i) % RECENT)];
        }
        return ChangePoint.newestAfterRise(values, MIN_SIDE);
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
        negatives.clear();
        observed = 0;
        reported[0] = false;
        reported[1] = false;
    }
}

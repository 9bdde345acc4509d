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
 */
final class ChampionDrift implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChampionDrift.class);

    private final TrainerOptions options;
    private final ModelLoader loader;
    private final Adwin adwin;
    private LoadedModel champion;
    private boolean reported;
    private float[] x = new float[0];
    private float[] p = new float[0];

    /**
     * A detected rise of the champion's error.
     *
     * @param version the champion's version
     * @param change ADWIN's finding: the dropped (older) and kept (newer) parts and their mean errors
     * @param first whether it is the first detection for this champion (later ones refine the cut)
     */
    record Detection(int version, Adwin.Change change, boolean first) {

        /** Examples since the change (the part of the window a retrain should use). */
        long kept() {
            return change.kept();
        }

        String describe(String model) {
            return String.format(Locale.ROOT, "ADWIN: the error (Brier) of %s v%d rose from %.4f to %.4f over its last"
                            + " %,d labeled examples; retraining on the examples since the change", model, version,
                    change.meanBefore(), change.meanAfter(), change.kept());
        }
    }

    ChampionDrift(TrainerOptions options, ModelLoader loader) {
        this.options = options;
        this.loader = loader;
        this.adwin = new Adwin(options.drift().delta());
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
            double y = examples.get(r).getLabel() > 0 ? 1 : 0;
            double error = (p[r] - y) * (p[r] - y);
            if (adwin.add(error) && adwin.lastChange().increase()) {
                // Several cuts in one batch are one detection: the first for this champion if any was.
                boolean first = !reported || (found != null && found.first());
                found = new Detection(champion.versionNumber(), adwin.lastChange(), first);
                reported = true;
            }
        }
        return found;
    }

    /** Mean error of the champion since the last change (NaN before any example). */
    double meanError() {
        return adwin.mean();
    }

    @Override
    public void close() {
        if (champion != null) {
            champion.close();
            champion = null;
        }
        adwin.reset();
        reported = false;
    }
}

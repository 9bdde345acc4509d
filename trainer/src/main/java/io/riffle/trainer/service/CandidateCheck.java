package io.riffle.trainer.service;

import io.riffle.modelops.spec.OnWorse;
import io.riffle.modelops.registry.ModelsTopic;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelRejectedException;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.Evaluation;
import io.riffle.trainer.eval.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The second step of the model path, between a {@link TrainingRound} and the publisher: ONNX
 * Runtime must reproduce the trainer's own predictions on the holdout (within {@link
 * TrainerOptions#parityTolerance()}), and the candidate is then judged against the current
 * champion on that same holdout: it becomes CHAMPION if its ROC-AUC beats the champion's by the
 * gate margin (or there is no champion, or the champion cannot be evaluated), else SHADOW or
 * discarded ({@link TrainerOptions#onWorse()}). Reads the champion from a {@link ModelsTopic}, so
 * it runs on in-memory versions as well as on Kafka.
 *
 * <p>A round without a holdout (holdout fraction 0) has nothing to judge its candidate on: parity is
 * checked on the rows it was trained on, and the candidate is promoted without a gate (its
 * evaluation is null; the champion it replaces, if any, becomes its parent).
 */
final class CandidateCheck {
    private static final Logger LOG = LoggerFactory.getLogger(CandidateCheck.class);

    /**
     * The check's verdict. {@code detail} is the gate sentence (or why the model is not servable);
     * the evaluations are null where nothing was evaluated.
     */
    record Verdict(TrainingReport.Outcome outcome, double parityMaxDiff, Evaluation candidate, Evaluation champion,
                   ModelVersion championVersion, String detail) {

        /** Whether the candidate should be published (as CHAMPION or SHADOW). */
        boolean publishes() {
            return outcome == TrainingReport.Outcome.PROMOTED || outcome == TrainingReport.Outcome.SHADOW;
        }
    }

    private final TrainerOptions options;
    private final ModelLoader loader;
    private final ModelsTopic models;

    CandidateCheck(TrainerOptions options, ModelLoader loader, ModelsTopic models) {
        this.options = options;
        this.loader = loader;
        this.models = models;
    }

    /**
     * The gate of a cross-validated round: parity on the rows it was fitted on, then the candidate's
     * out-of-fold ROC-AUC against the champion's on the same examples (the whole window).
     */
    Verdict check(TrainingRound.CrossValidated cv) {
        ParityVerdict parity = parity(cv.fit(), cv.fit().train());
        if (parity.outcome() == TrainingReport.Outcome.PARITY_FAILED) {
            return parity.verdict();
        }
        Evaluation candidateEval = Metrics.evaluate(cv.outOfFold(), cv.window().labels(), options.reviewThreshold());
        return gate(cv.fit(), parity.parityMaxDiff(), candidateEval, cv.window(), String.format(
                "cross-validated AUC over the window's %d examples, %d folds", cv.window().rows(), TrainingRound.FOLDS));
    }

    Verdict check(TrainingRound.Fitted fit) {
        Dataset holdout = fit.holdout();
        boolean gated = holdout.rows() > 0;
        Dataset checked = gated ? holdout : fit.train();
        ParityVerdict parity = parity(fit, checked);
        if (parity.outcome() == TrainingReport.Outcome.PARITY_FAILED) {
            return parity.verdict();
        }
        double maxDiff = parity.parityMaxDiff();
        if (!gated) {
            ModelVersion champion = currentChampion();
            return new Verdict(TrainingReport.Outcome.PROMOTED, maxDiff, null, null, champion,
                    String.format("%s (no holdout, no gate; champion before: %s)",
                            fit.model().summary(), champion == null ? "none" : "v" + champion.getVersion()));
        }
        // Served scores are the gate's: what the scorer will compute.
        Evaluation candidateEval = Metrics.evaluate(parity.served, holdout.labels(), options.reviewThreshold());
        return gate(fit, maxDiff, candidateEval, holdout, "holdout AUC");
    }

    /** Compares {@code candidateEval} with the champion's evaluation on {@code judged}. */
    private Verdict gate(TrainingRound.Fitted fit, double maxDiff, Evaluation candidateEval, Dataset judged,
                         String what) {
        ModelVersion champion = currentChampion();
        Evaluation championEval = champion == null ? null : evaluate(champion, judged);
        boolean promote = championEval == null || Double.isNaN(championEval.rocAuc())
                || candidateEval.rocAuc() >= championEval.rocAuc() + options.gateMargin();
        String gate = String.format("%s (%s %.4f vs champion %s)", fit.model().summary(), what,
                candidateEval.rocAuc(), championEval == null ? "none"
                        : String.format("v%d %.4f", champion.getVersion(), championEval.rocAuc()));
        TrainingReport.Outcome outcome = promote ? TrainingReport.Outcome.PROMOTED
                : options.onWorse() == OnWorse.DISCARD ? TrainingReport.Outcome.DISCARDED
                : TrainingReport.Outcome.SHADOW;
        if (outcome == TrainingReport.Outcome.DISCARDED) {
            LOG.info("Discarding candidate for {}: {}", options.modelName(), gate);
        }
        return new Verdict(outcome, maxDiff, candidateEval, championEval, champion, gate);
    }

    /** ONNX Runtime against the trainer on {@code checked}: a PARITY_FAILED verdict, or one carrying the served scores. */
    private ParityVerdict parity(TrainingRound.Fitted fit, Dataset checked) {
        float[] own = fit.model().predict(checked);
        float[] served = new float[checked.rows()];
        try (LoadedModel loaded = loader.load(fit.candidate(), options.featureCount(), options.specHash())) {
            loaded.score(checked.x(), checked.rows(), served);
        } catch (ModelRejectedException e) {
            return new ParityVerdict(new Verdict(TrainingReport.Outcome.PARITY_FAILED, Double.NaN, null, null, null,
                    "the exported model is not servable: " + e.getMessage()), null);
        }
        double maxDiff = 0;
        for (int i = 0; i < served.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(served[i] - own[i]));
        }
        if (!(maxDiff <= options.parityTolerance())) {
            LOG.error("Not publishing {}: ONNX Runtime differs from the trainer by {} (> {}) on the {}",
                    options.modelName(), maxDiff, options.parityTolerance(),
                    checked == fit.holdout() ? "holdout" : "training rows");
            return new ParityVerdict(new Verdict(TrainingReport.Outcome.PARITY_FAILED, maxDiff, null, null, null,
                    "ONNX Runtime differs from the trainer by " + maxDiff), null);
        }
        return new ParityVerdict(new Verdict(TrainingReport.Outcome.PROMOTED, maxDiff, null, null, null, ""), served);
    }

    /** A parity check's verdict (PARITY_FAILED, or PROMOTED as a placeholder) and the scores ONNX Runtime served. */
    private record ParityVerdict(Verdict verdict, float[] served) {
        TrainingReport.Outcome outcome() {
            return verdict.outcome();
        }

        double parityMaxDiff() {
            return verdict.parityMaxDiff();
        }
    }

    /** The newest CHAMPION version of this trainer's model on the models topic, or null. */
    ModelVersion currentChampion() {
        ModelVersion best = null;
        for (ModelVersion mv : models.list(Duration.ofSeconds(30))) {
            if (mv.getName().equals(options.modelName()) && mv.getRole() == ModelRole.CHAMPION
                    && (best == null || mv.getVersion() > best.getVersion())) {
                best = mv;
            }
        }
        return best;
    }

    /** {@code mv}'s evaluation on {@code holdout}, or null if it cannot be served for this spec. */
    Evaluation evaluate(ModelVersion mv, Dataset holdout) {
        float[] scores = new float[holdout.rows()];
        try (LoadedModel loaded = loader.load(mv, options.featureCount(), options.specHash())) {
            loaded.score(holdout.x(), holdout.rows(), scores);
        } catch (ModelRejectedException e) {
            LOG.warn("Cannot evaluate {} v{} on the holdout: {}", mv.getName(), mv.getVersion(), e.getMessage());
            return null;
        }
        return Metrics.evaluate(scores, holdout.labels(), mv.getReviewThreshold());
    }
}

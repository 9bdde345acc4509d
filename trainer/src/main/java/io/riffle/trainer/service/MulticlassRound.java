package io.riffle.trainer.service;

import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.modelops.spec.OnWorse;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.trainer.data.ClassVocabulary;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.RankingMetrics;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.trainer.model.MulticlassModel;
import io.riffle.trainer.model.PopularityModel;
import io.riffle.trainer.model.SoftmaxClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model path of a multiclass model, the counterpart of a {@link TrainingRound} and a {@link
 * CandidateCheck} together: the window (examples with a {@code labelClass}, by event time) is split
 * as the binary path splits it (newest slice held out, the newest share of the rest for early
 * stopping); the {@link ClassVocabulary} comes from the rows before the holdout; train and
 * validation rows of classes outside it are counted and left out, while the holdout keeps them as
 * misses (the bound's cost shows in the metrics). The fitted model's ONNX graph must reproduce
 * its probabilities under ONNX Runtime on the holdout, then the gate compares the candidate's
 * recall@k with the champion's on that same holdout, the champion's columns mapped by its own
 * class labels (its catalogue may differ).
 */
final class MulticlassRound {
    private static final Logger LOG = LoggerFactory.getLogger(MulticlassRound.class);

    /** The published {@code outputKind}: rows are probabilities summing to 1. */
    static final String PROBABILITIES = "probabilities";

    /** What a round produced. */
    sealed interface Result permits Skipped, Checked { }

    record Skipped(String why) implements Result { }

    /**
     * A fitted and checked candidate: its version (unnumbered), verdict, and evaluations ({@code
     * candidate} null without a holdout, {@code champion} null when there is none or it cannot be
     * evaluated on this holdout).
     */
    record Checked(MulticlassModel model, ModelVersion candidate, TrainingReport.Outcome outcome,
                   double parityMaxDiff, RankingMetrics.Result candidateEval, RankingMetrics.Result championEval,
                   ModelVersion championVersion, String detail, long fitMillis, int examples,
                   long outOfVocabulary) implements Result {

        boolean publishes() {
            return outcome == TrainingReport.Outcome.PROMOTED || outcome == TrainingReport.Outcome.SHADOW;
        }
    }

    private final TrainerOptions options;
    private final FeatureMask mask;
    private final Supplier<ModelVersion> champion;

    MulticlassRound(TrainerOptions options, FeatureMask mask, Supplier<ModelVersion> champion) {
        this.options = options;
        this.mask = mask;
        this.champion = champion;
    }

    /** Fits, checks and judges a candidate on {@code ordered} (by event time, every one with a labelClass). */
    Result run(List<TrainingExample> ordered) {
        int n = ordered.size();
        if (n < options.minExamples()) {
            return new Skipped("window has " + n + " examples with a class; needs " + options.minExamples());
        }
        int holdoutStart = options.hasHoldout()
                ? n - Math.max(1, (int) Math.round(n * options.holdoutFraction())) : n;
        int validationStart = holdoutStart - Math.max(1, (int) Math.round(holdoutStart * options.validationFraction()));
        List<String> seen = new ArrayList<>(holdoutStart);
        for (int i = 0; i < holdoutStart; i++) {
            seen.add(ordered.get(i).getLabelClass());
        }
        ClassVocabulary vocabulary = ClassVocabulary.of(seen, options.maxClasses());
        if (vocabulary.size() < 2) {
            return new Skipped("the window before the holdout has " + vocabulary.size() + " class(es); needs 2");
        }
        int f = options.featureCount();
        Rows train = rows(ordered, 0, validationStart, vocabulary, true);
        Rows validation = rows(ordered, validationStart, holdoutStart, vocabulary, true);
        Rows holdout = rows(ordered, holdoutStart, n, vocabulary, false);
        if (train.data.rows() == 0 || validation.data.rows() == 0) {
            return new Skipped("no training or validation rows of the " + vocabulary.size() + " kept classes");
        }
        int k = vocabulary.size();
        long t0 = System.nanoTime();
        MulticlassModel model = options.training().kind() == ModelKind.POPULARITY
                ? PopularityModel.fit(Dataset.concat(train.data, validation.data), concat(train.classes,
                        validation.classes), k, options.segmentColumnIndices())
                : SoftmaxClassifier.fit(options.training(), mask, train.data, train.classes, validation.data,
                        validation.classes, k, (epoch, trainLoss, valLoss) -> LOG.debug(
                                "{} {} epoch {}: train loss {} validation loss {}", options.modelName(),
                                options.training().kind(), epoch, String.format(Locale.ROOT, "%.5f", trainLoss),
                                String.format(Locale.ROOT, "%.5f", valLoss)));
        long fitMillis = (System.nanoTime() - t0) / 1_000_000;
        long outOfVocabulary = vocabulary.droppedExamples();
        for (int c : holdout.classes) {
            outOfVocabulary += c < 0 ? 1 : 0;
        }
        ModelVersion candidate = describe(model, vocabulary, ordered, train.data, n - outOfVocabulary);

        Rows checked = holdout.data.rows() > 0 ? holdout : train;
        float[] own = model.predict(checked.data);
        float[] served = new float[own.length];
        try (MulticlassScoring scoring = new MulticlassScoring(model.toOnnx(), candidate.getSha256(), f, k)) {
            scoring.score(checked.data.x(), checked.data.rows(), served);
        } catch (Exception e) {
            return new Checked(model, candidate, TrainingReport.Outcome.PARITY_FAILED, Double.NaN, null, null, null,
                    "the exported model is not servable: " + e.getMessage(), fitMillis, n, outOfVocabulary);
        }
        double maxDiff = 0;
        for (int i = 0; i < served.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(served[i] - own[i]));
        }
        if (!(maxDiff <= options.parityTolerance())) {
            LOG.error("Not publishing {}: ONNX Runtime differs from the trainer by {} (> {})", options.modelName(),
                    maxDiff, options.parityTolerance());
            return new Checked(model, candidate, TrainingReport.Outcome.PARITY_FAILED, maxDiff, null, null, null,
                    "ONNX Runtime differs from the trainer by " + maxDiff, fitMillis, n, outOfVocabulary);
        }
        ModelVersion current = champion.get();
        if (holdout.data.rows() == 0) {
            return new Checked(model, candidate, TrainingReport.Outcome.PROMOTED, maxDiff, null, null, current,
                    String.format("%s (no holdout, no gate; champion before: %s)", model.summary(),
                            current == null ? "none" : "v" + current.getVersion()), fitMillis, n, outOfVocabulary);
        }
        // Served probabilities are the gate's: what the scorer will rank.
        RankingMetrics.Result candidateEval = RankingMetrics.evaluate(served, holdout.data.rows(), k, holdout.classes,
                options.topK());
        RankingMetrics.Result championEval = current == null ? null : evaluate(current, ordered.subList(holdoutStart, n),
                holdout.data);
        boolean promote = championEval == null
                || candidateEval.recallAtK() >= championEval.recallAtK() + options.gateMargin();
        String gate = String.format(Locale.ROOT, "%s, %d classes (holdout recall@%d %.4f vs champion %s)",
                model.summary(), k, options.topK(), candidateEval.recallAtK(), championEval == null ? "none"
                        : String.format(Locale.ROOT, "v%d %.4f", current.getVersion(), championEval.recallAtK()));
        TrainingReport.Outcome outcome = promote ? TrainingReport.Outcome.PROMOTED
                : options.onWorse() == OnWorse.DISCARD ? TrainingReport.Outcome.DISCARDED
                : TrainingReport.Outcome.SHADOW;
        return new Checked(model, candidate, outcome, maxDiff, candidateEval, championEval, current, gate, fitMillis,
                n, outOfVocabulary);
    }

    /** The champion's ranking of the holdout, its columns mapped to classes by its own labels; null if it cannot be served here. */
    private RankingMetrics.Result evaluate(ModelVersion mv, List<TrainingExample> examples, Dataset holdout) {
        byte[] onnx = ModelVersions.onnxBytes(mv);
        List<String> labels = mv.getClassLabels();
        if (mv.getTask() != ModelTask.MULTICLASS || onnx == null || labels.isEmpty()
                || mv.getFeatureCount() != options.featureCount()
                || (mv.getFeatureSpecHash() != null && !mv.getFeatureSpecHash().equals(options.specHash()))) {
            LOG.warn("Cannot evaluate {} v{} on the holdout: not an inline multiclass model of this feature spec",
                    mv.getName(), mv.getVersion());
            return null;
        }
        Map<String, Integer> column = new HashMap<>();
        for (int j = 0; j < labels.size(); j++) {
            column.putIfAbsent(labels.get(j), j);
        }
        int[] truth = new int[examples.size()];
        for (int r = 0; r < truth.length; r++) {
            truth[r] = column.getOrDefault(examples.get(r).getLabelClass(), -1);
        }
        float[] scores = new float[holdout.rows() * labels.size()];
        try (MulticlassScoring scoring = new MulticlassScoring(onnx, mv.getSha256(), options.featureCount(),
                labels.size())) {
            // Softmax keeps each row's order, so logits rank as their probabilities would.
            scoring.score(holdout.x(), holdout.rows(), scores);
        } catch (Exception e) {
            LOG.warn("Cannot evaluate {} v{} on the holdout: {}", mv.getName(), mv.getVersion(), e.getMessage());
            return null;
        }
        return RankingMetrics.evaluate(scores, holdout.rows(), labels.size(), truth, options.topK());
    }

    private ModelVersion describe(MulticlassModel model, ClassVocabulary vocabulary, List<TrainingExample> ordered,
                                  Dataset train, long inVocabulary) {
        ModelVersion mv = ModelVersion.newBuilder(ModelVersions.fromOnnx(model.toOnnx(), options.modelName(), 0,
                        ModelTask.MULTICLASS, options.featureCount()))
                .setFeatureSpecHash(options.specHash())
                .setFeatureNames(options.featureNames())
                .setReviewThreshold(options.reviewThreshold())
                .setBlockThreshold(options.blockThreshold())
                .setClassLabels(vocabulary.labels())
                .setOutputKind(PROBABILITIES)
                // A multiclass window has no positives: its rate field carries the share of examples whose class
                // the vocabulary kept.
                .setTrainingWindow(new io.riffle.schemas.TrainingWindow(ordered.get(0).getEventTime(),
                        ordered.get(ordered.size() - 1).getEventTime(), (long) ordered.size(),
                        inVocabulary / (double) ordered.size()))
                .build();
        return ModelVersions.withFeatureStatsOf(mv, train.x(), train.rows());
    }

    /** Rows of {@code [from, to)} with their class columns; {@code keptOnly}: without those outside the vocabulary. */
    private Rows rows(List<TrainingExample> ordered, int from, int to, ClassVocabulary vocabulary, boolean keptOnly) {
        List<TrainingExample> picked = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            TrainingExample e = ordered.get(i);
            if (!keptOnly || vocabulary.index(e.getLabelClass()) >= 0) {
                picked.add(e);
            }
        }
        int[] classes = new int[picked.size()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = vocabulary.index(picked.get(i).getLabelClass());
        }
        return new Rows(TrainingWindow.toDataset(picked, 0, picked.size(), options.featureCount()), classes);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private record Rows(Dataset data, int[] classes) { }
}

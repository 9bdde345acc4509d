package io.riffle.trainer.service;

import io.riffle.modelops.spec.OnWorse;
import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.testing.InMemoryModelsTopic;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.TrainingExample;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The training round and the candidate check on in-memory data and an in-memory models topic: no Kafka. */
class CandidateCheckTest {

    private static final int FEATURES = 8;
    private static final String SPEC = "spec-test";

    private final InMemoryModelsTopic models = new InMemoryModelsTopic();
    private final ModelLoader loader = new ModelLoader(EngineOptions.defaults());

    /** Separable examples (positives shifted along the first three features), by event time. */
    private static List<TrainingExample> window(long seed, int n) {
        Random random = new Random(seed);
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = random.nextDouble() < 0.08 ? 1 : 0;
            List<Float> values = new ArrayList<>(FEATURES);
            for (int j = 0; j < FEATURES; j++) {
                values.add((float) (random.nextGaussian() + (label == 1 && j < 3 ? 2.5 : 0)));
            }
            out.add(new TrainingExample("e-" + i, "card-" + random.nextInt(100), 1_000L + i, 2_000L + i, SPEC,
                    values, label, null));
        }
        return out;
    }

    private static TrainerOptions options(OnWorse onWorse) {
        return TrainerOptions.builder("unused:9092", "fraud", ModelKind.LOGISTIC, FEATURES, SPEC, List.of())
                .training(TrainerConfig.defaults(ModelKind.LOGISTIC).withMaxEpochs(8))
                .minimums(200, 10)
                .gate(0.002, onWorse)
                .build();
    }

    private static TrainingRound.Fitted fit(TrainerOptions options, long seed) {
        List<TrainingExample> window = window(seed, 2000);
        long positives = window.stream().filter(e -> e.getLabel() == 1).count();
        TrainingRound.Result result = new TrainingRound(options, options.featureMask()).run(window, positives);
        assertThat(result).isInstanceOf(TrainingRound.Fitted.class);
        return (TrainingRound.Fitted) result;
    }

    @Test
    void aRoundSkipsATooSmallWindow() {
        TrainerOptions options = options(OnWorse.SHADOW);
        TrainingRound.Result result = new TrainingRound(options, options.featureMask()).run(window(1, 100), 8);
        assertThat(result).isInstanceOfSatisfying(TrainingRound.Skipped.class,
                s -> assertThat(s.why()).contains("window has 100 examples (8 positive); needs 200 (10)"));
    }

    @Test
    void withoutAChampionAServableCandidateIsPromoted() {
        TrainerOptions options = options(OnWorse.SHADOW);
        TrainingRound.Fitted fit = fit(options, 1);
        assertThat(fit.candidate().getFeatureSpecHash()).isEqualTo(SPEC);
        assertThat(fit.candidate().getTrainingWindow().getExampleCount()).isEqualTo(2000);

        CandidateCheck.Verdict verdict = new CandidateCheck(options, loader, models).check(fit);
        assertThat(verdict.outcome()).isEqualTo(TrainingReport.Outcome.PROMOTED);
        assertThat(verdict.publishes()).isTrue();
        assertThat(verdict.parityMaxDiff()).isLessThanOrEqualTo(1e-5);
        assertThat(verdict.candidate().rocAuc()).isGreaterThan(0.9);
        assertThat(verdict.champion()).isNull();
        assertThat(verdict.detail()).contains("vs champion none");
    }

    /**
     * Holdout fraction 0: the round holds nothing out, so a logistic fit by Newton's method fits on
     * every example of the window; the check has nothing to gate on and promotes the candidate over
     * the champion, whose version becomes the parent.
     */
    @Test
    void withoutAHoldoutTheWholeWindowIsFittedAndPromotedWithoutAGate() {
        TrainerOptions options = options(OnWorse.DISCARD).toBuilder().holdout(0).build();
        TrainingRound.Fitted fit = fit(options, 1);
        assertThat(fit.holdout().rows()).isZero();
        assertThat(fit.model().summary()).contains("newton converged after").contains("on 2000 rows");
        assertThat(fit.candidate().getTrainingWindow().getExampleCount()).isEqualTo(2000);
        // A champion the gate would keep (the candidate itself, equal AUC) does not stop it: there is no gate.
        models.publish(ModelVersion.newBuilder(fit.candidate()).setVersion(3).setRole(ModelRole.CHAMPION).build());

        CandidateCheck.Verdict verdict = new CandidateCheck(options, loader, models).check(fit);
        assertThat(verdict.outcome()).isEqualTo(TrainingReport.Outcome.PROMOTED);
        assertThat(verdict.parityMaxDiff()).isLessThanOrEqualTo(1e-5);
        assertThat(verdict.candidate()).isNull();
        assertThat(verdict.champion()).isNull();
        assertThat(verdict.championVersion().getVersion()).isEqualTo(3);
        assertThat(verdict.detail()).contains("no holdout, no gate; champion before: v3");
    }

    @Test
    void aSingleClassWindowTailNeedsNoHoldoutWhenThereIsNone() {
        TrainerOptions options = options(OnWorse.SHADOW).toBuilder().holdout(0).build();
        List<TrainingExample> window = window(1, 2000);
        // The newest fifth all negative: a holdout there would have a single class and skip the round.
        for (int i = 1600; i < 2000; i++) {
            TrainingExample e = window.get(i);
            window.set(i, TrainingExample.newBuilder(e).setLabel(0).build());
        }
        long positives = window.stream().filter(e -> e.getLabel() == 1).count();
        assertThat(new TrainingRound(options, options.featureMask()).run(window, positives))
                .isInstanceOf(TrainingRound.Fitted.class);
        assertThat(new TrainingRound(options(OnWorse.SHADOW), options.featureMask()).run(window, positives))
                .isInstanceOfSatisfying(TrainingRound.Skipped.class,
                        s -> assertThat(s.why()).contains("has a single class"));
    }

    @Test
    void anExportThatDoesNotReproduceTheTrainerFailsParity() {
        TrainerOptions options = options(OnWorse.SHADOW);
        TrainingRound.Fitted fit = fit(options, 1);
        TrainingRound.Fitted other = fit(options, 2);
        // The trainer's model with another fit's ONNX graph: ONNX Runtime scores differently.
        TrainingRound.Fitted mismatched = new TrainingRound.Fitted(fit.model(), fit.train(), fit.holdout(),
                other.candidate(), fit.fitMillis());

        CandidateCheck.Verdict verdict = new CandidateCheck(options, loader, models).check(mismatched);
        assertThat(verdict.outcome()).isEqualTo(TrainingReport.Outcome.PARITY_FAILED);
        assertThat(verdict.publishes()).isFalse();
        assertThat(verdict.parityMaxDiff()).isGreaterThan(1e-5);
        assertThat(verdict.detail()).startsWith("ONNX Runtime differs from the trainer by");
    }

    @Test
    void aCandidateNoBetterThanTheChampionIsShadowedOrDiscarded() {
        TrainerOptions shadow = options(OnWorse.SHADOW);
        TrainingRound.Fitted fit = fit(shadow, 1);
        // The champion is the candidate itself: equal AUC on the same holdout, short of the margin.
        models.publish(ModelVersion.newBuilder(fit.candidate()).setVersion(3).setRole(ModelRole.CHAMPION).build());
        models.publish(ModelVersion.newBuilder(fit.candidate()).setName("other").setVersion(9).build());

        CandidateCheck.Verdict shadowed = new CandidateCheck(shadow, loader, models).check(fit);
        assertThat(shadowed.outcome()).isEqualTo(TrainingReport.Outcome.SHADOW);
        assertThat(shadowed.publishes()).isTrue();
        assertThat(shadowed.championVersion().getVersion()).isEqualTo(3);
        assertThat(shadowed.champion().rocAuc()).isEqualTo(shadowed.candidate().rocAuc());
        assertThat(shadowed.detail()).contains("vs champion v3");

        CandidateCheck.Verdict discarded = new CandidateCheck(options(OnWorse.DISCARD), loader, models).check(fit);
        assertThat(discarded.outcome()).isEqualTo(TrainingReport.Outcome.DISCARDED);
        assertThat(discarded.publishes()).isFalse();
    }

    /**
     * The cross-validated gate (a round right after a drift): the candidate is fitted on the whole
     * window and judged by out-of-fold scores over every example, against the champion on the same
     * examples. Out-of-fold scores are out of sample: with labels that have nothing to do with the
     * features, the AUC they give is near 0.5, where the model's in-sample scores do better.
     */
    @Test
    void aCrossValidatedRoundIsJudgedOutOfFoldOnTheWholeWindow() {
        TrainerOptions options = options(OnWorse.SHADOW);
        TrainingRound round = new TrainingRound(options, options.featureMask());
        List<TrainingExample> separable = window(4, 2000);
        long positives = separable.stream().filter(e -> e.getLabel() == 1).count();
        TrainingRound.CrossValidated cv = round.crossValidated(separable, positives);
        assertThat(cv.window().rows()).isEqualTo(2000);
        assertThat(cv.fit().holdout().rows()).isZero();
        assertThat(cv.fit().candidate().getTrainingWindow().getExampleCount()).isEqualTo(2000);
        // A weaker champion (fitted on 300 examples of the same concept) is beaten on the same 2,000 examples.
        List<TrainingExample> few = window(5, 300);
        TrainingRound.Result weak = round.run(few, few.stream().filter(e -> e.getLabel() == 1).count());
        models.publish(ModelVersion.newBuilder(((TrainingRound.Fitted) weak).candidate()).setVersion(1)
                .setRole(ModelRole.CHAMPION).build());
        CandidateCheck.Verdict verdict = new CandidateCheck(options, loader, models).check(cv);
        assertThat(verdict.parityMaxDiff()).isLessThanOrEqualTo(1e-5);
        assertThat(verdict.candidate().examples()).isEqualTo(2000);
        assertThat(verdict.champion().examples()).isEqualTo(2000);
        assertThat(verdict.detail()).contains("cross-validated AUC over the window's 2000 examples, 5 folds");
        assertThat(verdict.candidate().rocAuc()).isGreaterThan(0.9);

        // Labels unrelated to the features: out of fold, nothing to learn.
        Random random = new Random(6);
        List<TrainingExample> noise = new ArrayList<>();
        for (TrainingExample e : window(7, 2000)) {
            noise.add(TrainingExample.newBuilder(e).setLabel(random.nextDouble() < 0.3 ? 1 : 0).build());
        }
        long noisePositives = noise.stream().filter(e -> e.getLabel() == 1).count();
        TrainingRound.CrossValidated blind = round.crossValidated(noise, noisePositives);
        double outOfFold = io.riffle.trainer.eval.Metrics.evaluate(blind.outOfFold(), blind.window().labels(), 0.5)
                .rocAuc();
        double inSample = io.riffle.trainer.eval.Metrics.evaluate(blind.fit().model().predict(blind.window()),
                blind.window().labels(), 0.5).rocAuc();
        assertThat(outOfFold).isBetween(0.4, 0.6);
        assertThat(inSample).isGreaterThan(outOfFold);
    }
}

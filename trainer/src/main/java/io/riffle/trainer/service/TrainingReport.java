package io.riffle.trainer.service;

import io.riffle.trainer.eval.Evaluation;

import java.util.List;

/**
 * What one training round did.
 *
 * @param modelName the model the trainer owns
 * @param outcome what became of the candidate
 * @param publishedName the name it was published under (null when not published)
 * @param version the published version (0 when not published)
 * @param candidate the candidate's evaluation on the holdout (null when skipped before training, or when the round
 *        had no holdout: holdout fraction 0)
 * @param champion the champion's evaluation on the same holdout (null when there was none)
 * @param championVersion the champion's version (0 when none)
 * @param examples examples in the window
 * @param positives positive examples in the window
 * @param fitMillis training time
 * @param parityMaxDiff largest |ONNX Runtime − trainer| difference on the holdout (without one: on the train rows)
 * @param detail a human sentence: the model summary or why nothing was published
 * @param ignoredFeatures the features the model was told not to use ({@link TrainerOptions#ignoredFeatures()})
 */
public record TrainingReport(String modelName, Outcome outcome, String publishedName, int version,
                             Evaluation candidate, Evaluation champion, int championVersion, int examples,
                             long positives, long fitMillis, double parityMaxDiff, String detail,
                             List<String> ignoredFeatures) {

    public TrainingReport {
        ignoredFeatures = List.copyOf(ignoredFeatures);
    }

    public enum Outcome {
        /** Published as the new CHAMPION. */
        PROMOTED,
        /** Did not beat the champion; published as a SHADOW model. */
        SHADOW,
        /** Did not beat the champion; not published. */
        DISCARDED,
        /** ONNX Runtime did not reproduce the trainer's predictions; not published. */
        PARITY_FAILED,
        /** Not enough data (or a single-class holdout); nothing trained. */
        SKIPPED,
        /** Not a round: the drift detector saw the champion's live error rise; a round follows at once. */
        DRIFT_DETECTED
    }

    public boolean published() {
        return outcome == Outcome.PROMOTED || outcome == Outcome.SHADOW;
    }
}

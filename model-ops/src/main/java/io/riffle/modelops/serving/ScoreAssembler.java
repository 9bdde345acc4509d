package io.riffle.modelops.serving;

import io.riffle.modelops.decision.Decider;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;

import java.util.ArrayList;
import java.util.List;

/**
 * The write stage's record: one {@link Score} per row of a scored batch, carrying every serving
 * model's output as it came (with name, version, task and role), the {@link Decider}'s decision
 * and reason codes, and the latency from ingest to now. A multiclass model's entry carries its
 * top-k classes (best first) and, as its value, the best class's probability; it decides nothing.
 */
public final class ScoreAssembler {

    /** Receives each row's score. */
    @FunctionalInterface
    public interface Sink {
        void accept(Score score, int row);
    }

    private final Decider decider;

    public ScoreAssembler(Decider decider) {
        this.decider = decider;
    }

    /**
     * Hands {@code sink} one score per row of {@code batch}, scored by {@code models} (their
     * {@link ServingModels#outputs()}).
     *
     * @return how many model outputs were NaN or infinite (deciding or not)
     */
    public int assemble(ScoreBatch batch, ServingModels models, long now, Sink sink) {
        ModelVersion[] versions = models.versions();
        float[][] outputs = models.outputs();
        int nonFinite = 0;
        for (int i = 0, rows = batch.size(); i < rows; i++) {
            List<ModelScore> scores = new ArrayList<>(versions.length);
            for (int m = 0; m < versions.length; m++) {
                ModelVersion mv = versions[m];
                float value = outputs[m][i];
                scores.add(new ModelScore(mv.getName(), mv.getVersion(), mv.getTask(), mv.getRole(), value,
                        models.topK(m, i)));
                if (!Float.isFinite(value)) {
                    nonFinite++;
                }
            }
            Decider.Verdict verdict = decider.decide(versions, models.explainers(), outputs, i, batch.values(),
                    batch.offset(i));
            long ingest = batch.ingestTime(i);
            sink.accept(new Score(batch.eventId(i), batch.entityId(i), batch.eventTime(i), ingest, now, now - ingest,
                    scores, verdict.decision(), verdict.reasons()), i);
        }
        return nonFinite;
    }
}

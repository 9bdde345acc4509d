package io.riffle.modelops.serving;

import io.riffle.schemas.ModelScore;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.Score;
import java.util.ArrayList;
import java.util.List;

/**
 * The recommendations of one score: one {@link Recommendation} per multiclass model on it (any
 * role, so a shadow's or a baseline's list can be compared with the champion's on the same
 * events), for the recommendations topic keyed by entity.
 */
public final class Recommendations {

    private Recommendations() {}

    /** Empty when no model on the score is multiclass. */
    public static List<Recommendation> of(Score score) {
        List<Recommendation> out = null;
        for (ModelScore m : score.getModels()) {
            if (m.getTopK() == null) {
                continue;
            }
            if (out == null) {
                out = new ArrayList<>(1);
            }
            out.add(new Recommendation(score.getEventId(), score.getEntityId(), score.getEventTime(),
                    score.getScoreTime(), m.getName(), m.getVersion(), m.getRole(), m.getTopK()));
        }
        return out == null ? List.of() : out;
    }
}

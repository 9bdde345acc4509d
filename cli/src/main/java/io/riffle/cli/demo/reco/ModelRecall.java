package io.riffle.cli.demo.reco;

/**
 * What {@link RecallMonitor} knows of one model's recommendations at one moment.
 *
 * @param model the model name (with {@code @shadow} / {@code @challenger} appended for a version
 *     that does not serve as champion)
 * @param latestVersion the highest version seen in its recommendations
 * @param recommendations recommendations read
 * @param overall every judged recommendation
 * @param beforeShift judged recommendations of events before the shift time
 * @param afterShift judged recommendations of events at or after the shift time
 * @param recent the newest judged recommendations (the status line's live figure)
 * @param unlabelled recommendations whose user did nothing more within the window: no target to judge
 * @param unmatched recommendations whose event's successor could not be told (the event arrived
 *     out of its user's time order, or the recommendation came later than the monitor's lateness)
 * @param pending recommendations still waiting for their user's next event
 */
public record ModelRecall(String model, int latestVersion, long recommendations, RankingScore overall,
                          RankingScore beforeShift, RankingScore afterShift, RankingScore recent,
                          long unlabelled, long unmatched, long pending) {
}

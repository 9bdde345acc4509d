package io.riffle.cli.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code riffle replay} reports, written as JSON with snake_case keys. Events reconcile:
 * {@code events_in = scored + dead_letters + unaccounted}, and {@code reconciled} is true when
 * nothing is unaccounted for. Event positions are 0-based indexes in the events file.
 *
 * @param threshold the probability at and above which an event is called positive for accuracy
 * @param overall prequential metrics of the whole replay
 * @param firstHalf events before the middle of the file; {@code secondHalf} from it on
 * @param beforeDrift events before {@code driftAt}, {@code afterDrift} from it on (null without --drift-at)
 * @param trainedOn labeled events scored by a version that had trained on them (left out of the metrics)
 */
public record ReplayReport(String pipeline, String model, String eventsFile, String labelsFile, String kafka,
                           double rate, long labelDelayMs, int window, Long driftAt, double threshold,
                           long startedAt, double durationSeconds,
                           long eventsInFile, long eventsIn, long scored, long deadLetters, long unaccounted,
                           boolean reconciled, Map<String, Long> deadLetterReasons, long duplicateOutputs,
                           long scoredWithoutModel, long labelsSent, long labelsWithoutEvent, long labelDeadLetters,
                           long unlabeled, long trainedOn, long nonFinite, long evaluated,
                           MetricSet overall, MetricSet firstHalf, MetricSet secondHalf, MetricSet beforeDrift,
                           MetricSet afterDrift, List<Version> versions, long promotions,
                           List<EventOutcomes.TrainerEvent> trainerEvents, List<Prequential.Window> windows) {

    /**
     * A version of the model that served: events it scored, the first of them in file order and
     * when, and (when its record was read from the models topic) when it was published, its
     * training window in event time and its holdout ROC-AUC.
     */
    public record Version(int version, long events, long firstEvent, long firstScoredAt, Long publishedAt,
                          Long trainingFirstEventTime, Long trainingLastEventTime, Long trainingExamples,
                          Double holdoutRocAuc) { }

    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static ReplayReport read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ReplayReport.class);
    }
}

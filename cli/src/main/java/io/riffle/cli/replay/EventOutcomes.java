package io.riffle.cli.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pipeline made of each event of a {@link History}: the score of the replayed model
 * (probability and version) or the dead letter, matched to the event by id, with the model's
 * versions (their training windows) and the trainer's promotions and drift detections. The first
 * output of an event counts; a repeat (at-least-once delivery) is counted apart, and so are outputs
 * of events not in the history. Used from one thread.
 */
public final class EventOutcomes {
    /** State of an event. */
    static final byte NOTHING = 0;
    static final byte SCORED = 1;
    static final byte DEAD_LETTERED = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A version of the model: when it was published and what it was trained on (null when its record was not seen). */
    public record VersionInfo(int version, long createdAt, Long trainingFirstEventTime, Long trainingLastEventTime,
                              Long trainingExamples, Double holdoutRocAuc) { }

    /** A promotion or drift detection the trainer reported on the model-events topic. */
    public record TrainerEvent(String kind, int version, long time, String reason) { }

    private final History history;
    private final String idField;
    private final String model;
    private final AvroSerde<FeatureVector> featureVectors = AvroSerde.of(FeatureVector.class);

    final byte[] state;
    final float[] probability;
    final int[] version;
    final long[] eventTime;
    final long[] scoreTime;
    private long scored;
    private long deadLettered;
    private long scoredWithoutModel;
    private long duplicates;
    private long foreign;
    private long labelDeadLetters;
    private int newestServing;
    private final Map<String, Long> deadLetterReasons = new TreeMap<>();
    private String lastDeadLetter;
    private final Map<Integer, VersionInfo> versions = new TreeMap<>();
    private final List<TrainerEvent> trainerEvents = new ArrayList<>();

    /**
     * @param idField the events' id field (a dead letter's raw event is matched by it)
     * @param model the replayed model: its CHAMPION output is the event's probability
     */
    public EventOutcomes(History history, String idField, String model) {
        this.history = history;
        this.idField = idField;
        this.model = model;
        int n = history.size();
        state = new byte[n];
        probability = new float[n];
        Arrays.fill(probability, Float.NaN);
        version = new int[n];
        eventTime = new long[n];
        scoreTime = new long[n];
    }

    /** A record on the scores topic. */
    public void score(Score s) {
        int i = history.indexOf(s.getEventId());
        if (i < 0) {
            foreign++;
            return;
        }
        if (state[i] != NOTHING) {
            duplicates++;
            return;
        }
        state[i] = SCORED;
        scored++;
        eventTime[i] = s.getEventTime();
        scoreTime[i] = s.getScoreTime();
        ModelScore mine = null;
        for (ModelScore m : s.getModels()) {
            if (m.getName().equals(model) && (mine == null || m.getRole() == ModelRole.CHAMPION)) {
                mine = m;
            }
        }
        if (mine == null) {
            scoredWithoutModel++;
            return;
        }
        probability[i] = mine.getValue();
        version[i] = mine.getVersion();
        newestServing = Math.max(newestServing, version[i]);
    }

    /** A record on the dead-letters topic; {@code labelsTopic} tells the label join's apart. */
    public void deadLetter(DeadLetter d, String labelsTopic) {
        if (d.getSourceTopic().equals(labelsTopic)) {
            labelDeadLetters++;
            return;
        }
        int i = eventOf(d);
        if (i < 0) {
            foreign++;
            return;
        }
        if (state[i] != NOTHING) {
            duplicates++;
            return;
        }
        state[i] = DEAD_LETTERED;
        deadLettered++;
        deadLetterReasons.merge(d.getErrorClass(), 1L, Long::sum);
        lastDeadLetter = d.getErrorMessage();
    }

    /** A record on the models topic: a version of the model is remembered with its training window. */
    public void modelVersion(ModelVersion mv) {
        if (!mv.getName().equals(model)) {
            return;
        }
        var w = mv.getTrainingWindow();
        Double auc = mv.getMetrics() == null ? null : mv.getMetrics().get("roc_auc");
        versions.put(mv.getVersion(), new VersionInfo(mv.getVersion(), mv.getCreatedAt(),
                w == null ? null : w.getFirstEventTime(), w == null ? null : w.getLastEventTime(),
                w == null ? null : w.getExampleCount(), auc));
    }

    /** A record on the model-events topic: the model's promotions and drift detections are kept. */
    public void modelEvent(ModelEvent e) {
        if (e.getModelName().equals(model) && (e.getKind() == ModelEventKind.PROMOTED
                || e.getKind() == ModelEventKind.DRIFT_DETECTED)) {
            trainerEvents.add(new TrainerEvent(e.getKind().name(), e.getVersion(), e.getTime(), e.getReason()));
        }
    }

    /** A record that is none of Riffle's. */
    void foreignRecord() {
        foreign++;
    }

    /**
     * The event a dead letter is about: its key when that is an event id (records that waited for
     * a model carry it), else the id in its value (the feature vector of an event that waited, or
     * the raw JSON event).
     */
    private int eventOf(DeadLetter d) {
        if (d.getKey() != null) {
            int i = history.indexOf(StandardCharsets.UTF_8.decode(d.getKey().duplicate()).toString());
            if (i >= 0) {
                return i;
            }
        }
        if (d.getValue() == null) {
            return -1;
        }
        byte[] value = new byte[d.getValue().remaining()];
        d.getValue().duplicate().get(value);
        try {
            return history.indexOf(featureVectors.decode(value).getEventId());
        } catch (RuntimeException notAVector) {
            // the raw event
        }
        try {
            var node = JSON.readTree(value);
            var id = node == null ? null : node.get(idField);
            return id == null || id.isNull() ? -1 : history.indexOf(id.asText());
        } catch (java.io.IOException | RuntimeException notJson) {
            return -1;
        }
    }

    /** Events scored or dead-lettered so far. */
    public long accounted() {
        return scored + deadLettered;
    }

    public long scored() {
        return scored;
    }

    public long deadLettered() {
        return deadLettered;
    }

    /** Scores that carried no output of the replayed model. */
    public long scoredWithoutModel() {
        return scoredWithoutModel;
    }

    /** Repeated scores or dead letters of an event already accounted for. */
    public long duplicates() {
        return duplicates;
    }

    /** Records of events not in the history. */
    public long foreign() {
        return foreign;
    }

    /** Labels the label join dead-lettered (e.g. for an event whose features it never saw). */
    public long labelDeadLetters() {
        return labelDeadLetters;
    }

    public Map<String, Long> deadLetterReasons() {
        return deadLetterReasons;
    }

    /** The newest dead letter's reason since the last call, or null. */
    public String newDeadLetter() {
        String d = lastDeadLetter;
        lastDeadLetter = null;
        return d;
    }

    public Map<Integer, VersionInfo> versions() {
        return versions;
    }

    public List<TrainerEvent> trainerEvents() {
        return trainerEvents;
    }

    /** The highest version that scored an event so far (0: none). */
    public int newestServing() {
        return newestServing;
    }
}

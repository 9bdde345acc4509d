package io.riffle.cli.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the pipeline made of each replayed event, read from its topics as a user would
 * ({@code read_committed}): the score of the replayed model (probability and version) or the dead
 * letter, matched to the event by id; the model versions published (their training windows) and the
 * trainer's promotions and drift detections. Scores and dead letters are read from where they ended
 * when this was opened (so only the replay's own), models from the beginning of their topic. Records
 * of events not in the history (another producer's) are counted and set aside. Used from one thread.
 */
public final class ReplayOutcomes implements AutoCloseable {
    /** State of an event. */
    static final byte NOTHING = 0;
    static final byte SCORED = 1;
    static final byte DEAD_LETTERED = 2;

    /** A version of the model: when it was published and what it was trained on (null when its record was not seen). */
    public record VersionInfo(int version, long createdAt, Long trainingFirstEventTime, Long trainingLastEventTime,
                              Long trainingExamples, Double holdoutRocAuc) { }

    /** A promotion or drift detection the trainer reported on the model-events topic. */
    public record TrainerEvent(String kind, int version, long time, String reason) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final History history;
    private final String idField;
    private final String model;
    private final KafkaSpec.TopicNames topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);
    private final AvroSerde<ModelEvent> modelEvents = AvroSerde.of(ModelEvent.class);
    private final AvroSerde<ModelVersion> modelVersions = AvroSerde.of(ModelVersion.class);
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
     * @param clientProperties the pipeline file's Kafka properties (security settings)
     */
    public ReplayOutcomes(History history, String idField, String model, String bootstrapServers,
                          Map<String, String> clientProperties, KafkaSpec.TopicNames topics) {
        this.history = history;
        this.idField = idField;
        this.model = model;
        this.topics = topics;
        int n = history.size();
        state = new byte[n];
        probability = new float[n];
        Arrays.fill(probability, Float.NaN);
        version = new int[n];
        eventTime = new long[n];
        scoreTime = new long[n];
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-replay");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(16 << 20));
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> fromEnd = new ArrayList<>();
        List<TopicPartition> fromStart = new ArrayList<>();
        partitions(topics.scores(), fromEnd);
        partitions(topics.deadLetters(), fromEnd);
        partitions(topics.modelEvents(), fromEnd);
        partitions(topics.models(), fromStart);
        List<TopicPartition> all = new ArrayList<>(fromEnd);
        all.addAll(fromStart);
        consumer.assign(all);
        consumer.seekToEnd(fromEnd);
        consumer.seekToBeginning(fromStart);
        for (TopicPartition p : fromEnd) {
            consumer.position(p);   // fix the end now: what is written from here on is the replay's
        }
    }

    private void partitions(String topic, List<TopicPartition> into) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        for (PartitionInfo p : infos) {
            into.add(new TopicPartition(topic, p.partition()));
        }
    }

    /** Reads what arrived (waiting up to {@code wait}). */
    public void poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            try {
                accept(r);
            } catch (RuntimeException e) {
                foreign++;   // not a record of Riffle's schemas: someone else's
            }
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(topics.scores())) {
            score(scores.decode(r.value()));
        } else if (topic.equals(topics.deadLetters())) {
            deadLetter(deadLetters.decode(r.value()));
        } else if (topic.equals(topics.modelEvents())) {
            ModelEvent e = modelEvents.decode(r.value());
            if (e.getModelName().equals(model) && (e.getKind() == ModelEventKind.PROMOTED
                    || e.getKind() == ModelEventKind.DRIFT_DETECTED)) {
                trainerEvents.add(new TrainerEvent(e.getKind().name(), e.getVersion(), e.getTime(), e.getReason()));
            }
        } else if (topic.equals(topics.models()) && r.value() != null) {
            ModelVersion mv = modelVersions.decode(r.value());
            if (mv.getName().equals(model)) {
                var w = mv.getTrainingWindow();
                Double auc = mv.getMetrics() == null ? null : mv.getMetrics().get("roc_auc");
                versions.put(mv.getVersion(), new VersionInfo(mv.getVersion(), mv.getCreatedAt(),
                        w == null ? null : w.getFirstEventTime(), w == null ? null : w.getLastEventTime(),
                        w == null ? null : w.getExampleCount(), auc));
            }
        }
    }

    private void score(Score s) {
        int i = history.indexOf(s.getEventId());
        if (i < 0) {
            foreign++;
            return;
        }
        if (state[i] != NOTHING) {
            duplicates++;   // at-least-once delivery may repeat a score; the first one counts
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

    private void deadLetter(DeadLetter d) {
        if (d.getSourceTopic().equals(topics.labels())) {
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

    /**
     * The event a dead letter is about: its key when that is an event id (records that waited for
     * a model carry it), else the id field of its value (the raw event, or the feature vector of an
     * event that waited).
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

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

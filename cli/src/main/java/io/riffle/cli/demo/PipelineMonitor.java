package io.riffle.cli.demo;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.Label;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.Score;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.serde.AvroSerde;
import io.riffle.trainer.eval.Metrics;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Reads what the pipeline wrote (scores, dead letters, model events) as a user would, with
 * {@code isolation.level=read_committed}, and keeps the demo's running totals: counts, latency
 * histograms (HdrHistogram), the model versions loaded and the device serving them.
 */
final class PipelineMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitor.class);
    private static final long MAX_LATENCY_MS = 3_600_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaSpec.TopicNames topics;
    private final Predicate<String> isFraud;
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);
    private final AvroSerde<ModelEvent> modelEvents = AvroSerde.of(ModelEvent.class);

    final AtomicLong scoresOut = new AtomicLong();
    final AtomicLong deadLettersOut = new AtomicLong();
    final AtomicLong alerts = new AtomicLong();
    final AtomicLong fraudScored = new AtomicLong();
    final AtomicLong fraudAlerted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    /** Scorer-side latency: ingestion (Kafka timestamp of the event) to scoring. */
    private final Recorder latency = new Recorder(MAX_LATENCY_MS, 3);
    private final Histogram latencyTotal = new Histogram(MAX_LATENCY_MS, 3);
    /** Visible latency: ingestion to the score being readable by a read_committed consumer. */
    private final Histogram visibleTotal = new Histogram(MAX_LATENCY_MS, 3);
    private final Set<String> versionsLoaded = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> serving = new ConcurrentHashMap<>();
    private final Set<String> devices = ConcurrentHashMap.newKeySet();
    private final List<String> deadLetterSamples = new ArrayList<>();
    /** Prequential evaluation: each live fraud score meets the label that arrives later. */
    private final Map<String, Float> scoreAwaitingLabel = new HashMap<>();
    private final Map<String, Integer> labelAwaitingScore = new HashMap<>();
    private final List<Float> prequentialScores = new ArrayList<>();
    private final List<Integer> prequentialLabels = new ArrayList<>();
    private final AvroSerde<Label> labels = AvroSerde.of(Label.class);
    private volatile boolean running;
    private Thread thread;

    /** Records of the further topics a scenario reads, handed over on the monitor's thread. */
    private final List<String> otherTopics;
    private final java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> otherRecords;

    /** @param clientProperties the pipeline file's Kafka properties (security settings); read_committed always */
    PipelineMonitor(String bootstrapServers, Map<String, String> clientProperties, KafkaSpec.TopicNames topics,
                    long fromTimestamp, Predicate<String> isFraud) {
        this(bootstrapServers, clientProperties, topics, fromTimestamp, isFraud, true, List.of(), r -> { });
    }

    /**
     * @param readLabels whether the pipeline has a labels topic (not when labels come from the next event)
     * @param otherTopics further topics to read from {@code fromTimestamp}, each record handed to {@code otherRecords}
     */
    PipelineMonitor(String bootstrapServers, Map<String, String> clientProperties, KafkaSpec.TopicNames topics,
                    long fromTimestamp, Predicate<String> isFraud, boolean readLabels, List<String> otherTopics,
                    java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> otherRecords) {
        this.isFraud = isFraud;
        this.otherTopics = List.copyOf(otherTopics);
        this.otherRecords = otherRecords;
        this.topics = topics;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-demo-monitor");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        List<String> read = new ArrayList<>(List.of(topics.scores(), topics.deadLetters(), topics.modelEvents()));
        if (readLabels) {
            read.add(topics.labels());
        }
        read.addAll(otherTopics);
        for (String topic : read) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, fromTimestamp));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
    }

    void start() {
        running = true;
        thread = new Thread(this::run, "riffle-demo-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        accept(r);
                    } catch (RuntimeException e) {
                        LOG.warn("Unreadable record {}/{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (otherTopics.contains(topic)) {
            otherRecords.accept(r);
        } else if (topic.equals(topics.scores())) {
            Score s = scores.decode(r.value());
            scoresOut.incrementAndGet();
            long lat = Math.max(0, Math.min(MAX_LATENCY_MS, s.getLatencyMs()));
            latency.recordValue(lat);
            long visible = Math.max(0, Math.min(MAX_LATENCY_MS, System.currentTimeMillis() - s.getIngestTime()));
            synchronized (this) {
                latencyTotal.recordValue(lat);
                visibleTotal.recordValue(visible);
            }
            boolean alert = s.getDecision() != Decision.ALLOW;
            if (alert) {
                alerts.incrementAndGet();
            }
            for (ModelScore ms : s.getModels()) {
                if (ms.getName().equals(BootstrapModels.CLASSIFIER)) {
                    Integer label;
                    synchronized (prequentialScores) {
                        label = labelAwaitingScore.remove(s.getEventId());
                        if (label != null) {
                            prequentialScores.add(ms.getValue());
                            prequentialLabels.add(label);
                        } else {
                            scoreAwaitingLabel.put(s.getEventId(), ms.getValue());
                        }
                    }
                }
            }
            if (isFraud.test(s.getEventId())) {
                fraudScored.incrementAndGet();
                if (alert) {
                    fraudAlerted.incrementAndGet();
                }
            }
        } else if (topic.equals(topics.deadLetters())) {
            DeadLetter d = deadLetters.decode(r.value());
            deadLettersOut.incrementAndGet();
            synchronized (deadLetterSamples) {
                if (deadLetterSamples.size() < 3) {
                    deadLetterSamples.add(d.getErrorMessage());
                }
            }
        } else if (topic.equals(topics.labels())) {
            Label l = labels.decode(r.value());
            synchronized (prequentialScores) {
                Float score = scoreAwaitingLabel.remove(l.getEventId());
                if (score != null) {
                    prequentialScores.add(score);
                    prequentialLabels.add(l.getLabel());
                } else {
                    labelAwaitingScore.put(l.getEventId(), l.getLabel());
                }
            }
        } else if (topic.equals(topics.modelEvents())) {
            ModelEvent e = modelEvents.decode(r.value());
            if (e.getKind() == ModelEventKind.LOADED) {
                versionsLoaded.add(e.getModelName() + " v" + e.getVersion());
                serving.merge(e.getModelName(), e.getVersion(), Math::max);
                if (e.getDevice() != null) {
                    devices.add(e.getDevice());
                }
            } else if (e.getKind() == ModelEventKind.REJECTED) {
                rejected.incrementAndGet();
                LOG.warn("Model {} v{} rejected by {}: {}", e.getModelName(), e.getVersion(), e.getSource(),
                        e.getReason());
            }
        }
    }

    /** Latency since the previous call (for the status line). */
    Histogram intervalLatency() {
        return latency.getIntervalHistogram();
    }

    synchronized Histogram totalLatency() {
        return latencyTotal.copy();
    }

    synchronized Histogram totalVisibleLatency() {
        return visibleTotal.copy();
    }

    /** ROC-AUC of the live classifier scores against the labels that arrived later, over the whole run. */
    double prequentialAuc() {
        float[] scores;
        int[] truth;
        synchronized (prequentialScores) {
            scores = new float[prequentialScores.size()];
            truth = new int[scores.length];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = prequentialScores.get(i);
                truth[i] = prequentialLabels.get(i);
            }
        }
        return Metrics.rocAuc(scores, truth);
    }

    /** Score/label pairs in the prequential evaluation. */
    int prequentialPairs() {
        synchronized (prequentialScores) {
            return prequentialScores.size();
        }
    }

    Set<String> versionsLoaded() {
        return new TreeSet<>(versionsLoaded);
    }

    Map<String, Integer> serving() {
        return new TreeMap<>(serving);
    }

    Set<String> devices() {
        return new TreeSet<>(devices);
    }

    List<String> deadLetterSamples() {
        synchronized (deadLetterSamples) {
            return List.copyOf(deadLetterSamples);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}

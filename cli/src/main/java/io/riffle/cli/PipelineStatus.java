package io.riffle.cli;

import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a running pipeline has done, read from its topics as a user would (scores, dead letters
 * and model events with {@code read_committed}, from when the command started; the events topic's
 * end offsets for the input rate), for the status line {@code riffle run} and {@code riffle score}
 * print every few seconds. Used from one thread.
 */
final class PipelineStatus implements AutoCloseable {
    private static final long MAX_LATENCY_MS = 3_600_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaSpec.TopicNames topics;
    private final List<TopicPartition> eventPartitions = new ArrayList<>();
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);
    private final AvroSerde<ModelEvent> modelEvents = AvroSerde.of(ModelEvent.class);
    private final Histogram latency = new Histogram(MAX_LATENCY_MS, 2);
    private final Map<String, String> models = new TreeMap<>();

    private long scored;
    private long lettered;
    private long rejected;
    private String lastDeadLetter;
    private long eventsAtStart = -1;
    private long lastEvents = -1;
    private long lastLook;

    /** @param clientProperties the pipeline file's Kafka properties (security settings) */
    PipelineStatus(String bootstrapServers, Map<String, String> clientProperties, KafkaSpec.TopicNames topics) {
        this.topics = topics;
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-status");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> outputs = new ArrayList<>();
        for (String topic : List.of(topics.scores(), topics.deadLetters(), topics.modelEvents())) {
            partitions(topic, outputs);
        }
        partitions(topics.events(), eventPartitions);
        consumer.assign(outputs);
        // Model events from the start: the status names the versions already serving.
        List<TopicPartition> fromStart = outputs.stream().filter(p -> p.topic().equals(topics.modelEvents())).toList();
        consumer.seekToBeginning(fromStart);
        consumer.seekToEnd(outputs.stream().filter(p -> !fromStart.contains(p)).toList());
    }

    private void partitions(String topic, List<TopicPartition> into) {
        for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            into.add(new TopicPartition(topic, p.partition()));
        }
    }

    /** Reads what arrived since the last call (for up to {@code wait}). */
    void poll(Duration wait) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(wait)) {
            try {
                accept(r);
            } catch (RuntimeException e) {
                // someone else's record on our topic: not ours to count
            }
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(topics.scores())) {
            Score s = scores.decode(r.value());
            scored++;
            latency.recordValue(Math.max(0, Math.min(MAX_LATENCY_MS, s.getLatencyMs())));
        } else if (r.topic().equals(topics.deadLetters())) {
            DeadLetter d = deadLetters.decode(r.value());
            lettered++;
            lastDeadLetter = d.getErrorMessage();
        } else {
            ModelEvent e = modelEvents.decode(r.value());
            if (e.getKind() == ModelEventKind.LOADED) {
                models.put(e.getModelName(), "v" + e.getVersion());
            } else if (e.getKind() == ModelEventKind.REJECTED) {
                rejected++;
            }
        }
    }

    /**
     * One status line, e.g. {@code 12:00:05 RUNNING · in 1,204/s · scored 10,300 · dead letters 12
     * · models generic v1 · latency p50 12 ms p99 48 ms (last 5 s) · restarts 0}; the latency
     * percentiles are of the scores read since the previous line.
     */
    String line(String jobStatus, long restarts) {
        long now = System.currentTimeMillis();
        long events = eventsWritten();
        if (eventsAtStart < 0) {
            eventsAtStart = events;
        }
        String rate = lastEvents < 0 || now <= lastLook ? "-" :
                String.format(Locale.ROOT, "%,d", Math.round((events - lastEvents) * 1000.0 / (now - lastLook)));
        lastEvents = events;
        lastLook = now;
        StringBuilder line = new StringBuilder(160).append(LocalTime.now().truncatedTo(ChronoUnit.SECONDS)).append(' ')
                .append(jobStatus)
                .append(String.format(Locale.ROOT, " · in %s/s (%,d since start) · scored %,d · dead letters %,d",
                        rate, events - eventsAtStart, scored, lettered))
                .append(" · models ").append(models.isEmpty() ? "none loaded yet" : String.join(", ",
                        models.entrySet().stream().map(m -> m.getKey() + " " + m.getValue()).toList()));
        if (rejected > 0) {
            line.append(" (").append(rejected).append(" rejected)");
        }
        if (latency.getTotalCount() > 0) {
            line.append(String.format(Locale.ROOT, " · latency p50 %d ms p99 %d ms", latency.getValueAtPercentile(50),
                    latency.getValueAtPercentile(99)));
            latency.reset();
        }
        line.append(" · restarts ").append(restarts);
        return line.toString();
    }

    /** The newest dead letter's reason since the last call, or null. */
    String newDeadLetter() {
        String d = lastDeadLetter;
        lastDeadLetter = null;
        return d;
    }

    private long eventsWritten() {
        long sum = 0;
        for (long end : consumer.endOffsets(eventPartitions, Duration.ofSeconds(5)).values()) {
            sum += end;
        }
        return sum;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}

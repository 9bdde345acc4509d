package io.riffle.dashboard;

import io.riffle.modelops.decode.DecodedEvent;
import io.riffle.modelops.decode.EventDecoder;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Recommendation;
import io.riffle.schemas.Score;
import io.riffle.schemas.TrainingExample;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads the pipeline's topics into {@link LiveStats} on one thread: the models and model-events
 * topics from their beginning (the page's timeline is every version), the others from
 * {@code lookback} ago, committed records only (the jobs write transactionally). Topics that
 * appear later (a recommendations topic, say) are picked up; a record that does not decode is
 * skipped, never fatal: the dashboard only watches.
 */
final class DashboardFeed implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);
    private static final Duration REFRESH = Duration.ofSeconds(10);

    private final DashboardOptions options;
    private final LiveStats stats;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final EventDecoder decoder;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final AvroSerde<ModelVersion> models = AvroSerde.of(ModelVersion.class);
    private final AvroSerde<ModelEvent> modelEvents = AvroSerde.of(ModelEvent.class);
    private final AvroSerde<DeadLetter> deadLetters = AvroSerde.of(DeadLetter.class);
    private final AvroSerde<TrainingExample> training = AvroSerde.of(TrainingExample.class);
    private final AvroSerde<Recommendation> recommendations = AvroSerde.of(Recommendation.class);
    private volatile boolean running = true;
    private long undecodable;

    DashboardFeed(DashboardOptions options, LiveStats stats) {
        this.options = options;
        this.stats = stats;
        Properties p = new Properties();
        p.putAll(options.kafkaProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-dashboard");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        EventDecoder d = null;
        if (options.segmentBy() != null && options.pipeline() != null) {
            d = EventDecoder.of(options.pipeline());
            d.open();
        }
        this.decoder = d;
    }

    @Override
    public void run() {
        long nextRefresh = 0;
        try {
            while (running) {
                long now = System.currentTimeMillis();
                if (now >= nextRefresh) {
                    refreshAssignment(now);
                    nextRefresh = now + REFRESH.toMillis();
                }
                if (assigned.isEmpty()) {
                    sleepQuietly(500);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                    dispatch(r, System.currentTimeMillis());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.warn("Dashboard feed stopped", e);
            stats.kafkaProblem("the dashboard's reader stopped: " + e.getMessage());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void refreshAssignment(long now) {
        Map<String, List<PartitionInfo>> existing;
        try {
            existing = consumer.listTopics(Duration.ofSeconds(5));
            stats.kafkaProblem(null);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            stats.kafkaProblem("cannot reach Kafka at " + options.bootstrapServers() + " (no answer in 5 s)");
            return;
        } catch (org.apache.kafka.common.KafkaException e) {
            stats.kafkaProblem("cannot read topics: " + e.getMessage());
            return;
        }
        var t = options.topics();
        List<TopicPartition> fromStart = new ArrayList<>();
        List<TopicPartition> fromLookback = new ArrayList<>();
        for (String topic : List.of(t.models(), t.modelEvents())) {
            added(existing, topic, fromStart);
        }
        for (String topic : List.of(t.events(), t.scores(), t.alerts(), t.training(), t.deadLetters(), t.recommendations())) {
            added(existing, topic, fromLookback);
        }
        if (fromStart.isEmpty() && fromLookback.isEmpty()) {
            return;
        }
        assigned.addAll(fromStart);
        assigned.addAll(fromLookback);
        consumer.assign(assigned);
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        if (!fromLookback.isEmpty()) {
            Map<TopicPartition, Long> at = new HashMap<>();
            for (TopicPartition tp : fromLookback) {
                at.put(tp, now - options.lookback().toMillis());
            }
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(at, Duration.ofSeconds(10));
            List<TopicPartition> toEnd = new ArrayList<>();
            for (TopicPartition tp : fromLookback) {
                OffsetAndTimestamp o = offsets.get(tp);
                if (o == null) {
                    toEnd.add(tp);
                } else {
                    consumer.seek(tp, o.offset());
                }
            }
            consumer.seekToEnd(toEnd);
        }
        LOG.info("Dashboard reads {} partitions", assigned.size());
    }

    private void added(Map<String, List<PartitionInfo>> existing, String topic, List<TopicPartition> into) {
        for (PartitionInfo pi : existing.getOrDefault(topic, List.of())) {
            TopicPartition tp = new TopicPartition(pi.topic(), pi.partition());
            if (!assigned.contains(tp)) {
                into.add(tp);
            }
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> r, long now) {
        var t = options.topics();
        String topic = r.topic();
        try {
            if (topic.equals(t.events())) {
                event(r, now);
            } else if (r.value() == null) {
                return;
            } else if (topic.equals(t.scores())) {
                stats.score(scores.decode(r.value()), now);
            } else if (topic.equals(t.alerts())) {
                stats.alert(scores.decode(r.value()), now);
            } else if (topic.equals(t.training())) {
                stats.training(training.decode(r.value()), now);
            } else if (topic.equals(t.models())) {
                stats.model(models.decode(r.value()), now);
            } else if (topic.equals(t.modelEvents())) {
                stats.modelEvent(modelEvents.decode(r.value()), now);
            } else if (topic.equals(t.deadLetters())) {
                stats.deadLetter(deadLetters.decode(r.value()), now);
            } else if (topic.equals(t.recommendations())) {
                stats.recommendation(recommendations.decode(r.value()), now);
            }
        } catch (RuntimeException e) {
            if (undecodable++ % 1000 == 0) {
                LOG.warn("Dashboard skipped an unreadable record of {} at {}/{}: {}", topic, r.partition(), r.offset(),
                        e.toString());
            }
        }
    }

    private void event(ConsumerRecord<byte[], byte[]> r, long now) {
        String eventId = null;
        String segment = null;
        if (decoder != null && r.value() != null) {
            DecodedEvent e = decoder.decode(r.key(), r.value(), r.timestamp());
            if (!e.isRefused()) {
                eventId = String.valueOf(e.eventId());
                GenericRecord record = e.record();
                Object v = record.hasField(options.segmentBy()) ? record.get(options.segmentBy()) : null;
                segment = v == null ? "(none)" : v.toString();
            }
        }
        stats.event(r.timestamp(), eventId, segment, now);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}

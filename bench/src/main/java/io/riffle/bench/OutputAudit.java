package io.riffle.bench;

import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads one variant's output topic with {@code isolation.level=read_committed} and checks that
 * every input event appears exactly once (a bit set over the event indexes). Output topics use
 * {@code LogAppendTime}, so each record's Kafka timestamp is when the broker appended it: the
 * first and last give the sustained rate, and minus the input's Kafka timestamp (carried in the
 * Score, or in a header for the passthrough) the latency. Not thread-safe.
 */
final class OutputAudit implements AutoCloseable {
    private final Variant variant;
    private final char prefix;
    private long expected;
    private long measuredFrom;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final BitSet seen = new BitSet();
    private final AvroSerde<Score> scores = AvroSerde.of(Score.class);
    private final boolean checkModels;

    private long records;
    private long distinct;
    private long duplicates;
    private long foreign;
    private long firstAppend = Long.MAX_VALUE;
    private long lastAppend = Long.MIN_VALUE;
    private final Histogram latency = new Histogram(3_600_000L, 3);
    private final Histogram visible = new Histogram(3_600_000L, 3);
    /** Per fraud version: the earliest append time of a score carrying it (swap check). */
    private final Map<Integer, Long> firstScoreWithFraudVersion = new TreeMap<>();
    private long badScores;
    /** Scores checked (riffle's, decoded) and those among them that were not ALLOW (each also an alert). */
    private long checkedScores;
    private long flaggedScores;
    private String firstBadScore;

    /**
     * @param measuredFrom events with a lower index are counted but not put in the latency histograms (warm-up)
     * @param checkModels decode each Score and check it carries both models with finite values in [0,1]
     */
    OutputAudit(String bootstrapServers, String topic, Variant variant, char prefix, long expected, long measuredFrom,
                boolean checkModels) {
        this.variant = variant;
        this.prefix = prefix;
        this.expected = expected;
        this.measuredFrom = measuredFrom;
        this.checkModels = checkModels;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-bench-audit-" + topic);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what is committed now (up to the last stable offsets); returns the records read. */
    long readAvailable() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long before = records;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!caughtUp(end) && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100));
        }
        return records - before;
    }

    /** One poll; for the latency phase, where the consumer follows the output as it is committed. */
    void poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(timeout);
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            accept(r, now);
        }
    }

    /** The sum of the committed end offsets: at least the number of committed records. */
    long committedEndOffsets() {
        long sum = 0;
        for (long v : consumer.endOffsets(partitions, Duration.ofSeconds(30)).values()) {
            sum += v;
        }
        return sum;
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void accept(ConsumerRecord<byte[], byte[]> r, long now) {
        records++;
        byte[] v = r.value();
        long ingest;
        String eventId;
        if (variant.isPassthrough()) {
            eventId = firstString(v);
            Header h = r.headers().lastHeader(IngestStampedSerializer.INGEST_HEADER);
            ingest = h == null ? -1 : ByteBuffer.wrap(h.value()).getLong();
        } else if (checkModels) {
            Score s = scores.decode(v);
            eventId = s.getEventId();
            ingest = s.getIngestTime();
            checkScore(s, r.timestamp());
        } else {
            int[] pos = {10};
            eventId = readString(v, pos);
            readString(v, pos);
            readLong(v, pos);
            ingest = readLong(v, pos);
        }
        long index = BenchEvents.indexOf(eventId, prefix);
        if (index < 0 || index >= expected) {
            foreign++;
            return;
        }
        if (seen.get((int) index)) {
            duplicates++;
            return;
        }
        seen.set((int) index);
        distinct++;
        firstAppend = Math.min(firstAppend, r.timestamp());
        lastAppend = Math.max(lastAppend, r.timestamp());
        if (index >= measuredFrom && ingest > 0) {
            latency.recordValue(Math.max(0, r.timestamp() - ingest));
            visible.recordValue(Math.max(0, now - ingest));
        }
    }

    private void checkScore(Score s, long appendTime) {
        checkedScores++;
        if (s.getDecision() != Decision.ALLOW) {
            flaggedScores++;
        }
        String problem = null;
        Integer fraudVersion = null;
        if (s.getModels().size() != 2) {
            problem = "carries " + s.getModels().size() + " model scores, expected 2";
        } else {
            for (ModelScore m : s.getModels()) {
                if (!(m.getValue() >= 0f && m.getValue() <= 1f)) {
                    problem = "model " + m.getName() + " v" + m.getVersion() + " gave " + m.getValue();
                }
                if (m.getName().equals(BenchModels.FRAUD)) {
                    fraudVersion = m.getVersion();
                } else if (!m.getName().equals(BenchModels.ANOMALY)) {
                    problem = "unexpected model " + m.getName();
                }
            }
            if (fraudVersion == null) {
                problem = "no fraud score";
            }
        }
        if (problem != null) {
            badScores++;
            if (firstBadScore == null) {
                firstBadScore = "event " + s.getEventId() + ": " + problem;
            }
            return;
        }
        firstScoreWithFraudVersion.merge(fraudVersion, appendTime, Math::min);
    }

    private static String firstString(byte[] v) {
        return readString(v, new int[] {10});
    }

    /** An Avro string at {@code pos[0]} (after the single-object header, the record's first field). */
    private static String readString(byte[] v, int[] pos) {
        int len = (int) readLong(v, pos);
        String s = new String(v, pos[0], len, StandardCharsets.UTF_8);
        pos[0] += len;
        return s;
    }

    /** An Avro long (zig-zag varint). */
    private static long readLong(byte[] v, int[] pos) {
        long n = 0;
        int shift = 0;
        int b;
        do {
            b = v[pos[0]++] & 0xff;
            n |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return (n >>> 1) ^ -(n & 1);
    }

    void setExpected(long expected) {
        this.expected = expected;
    }

    void setMeasuredFrom(long measuredFrom) {
        this.measuredFrom = measuredFrom;
    }

    boolean complete() {
        return distinct >= expected;
    }

    long records() {
        return records;
    }

    long distinct() {
        return distinct;
    }

    long duplicates() {
        return duplicates;
    }

    long missing() {
        return expected - distinct;
    }

    long foreign() {
        return foreign;
    }

    long firstAppend() {
        return firstAppend;
    }

    long lastAppend() {
        return lastAppend;
    }

    Histogram latency() {
        return latency;
    }

    Histogram visible() {
        return visible;
    }

    Map<Integer, Long> firstScoreWithFraudVersion() {
        return firstScoreWithFraudVersion;
    }

    long badScores() {
        return badScores;
    }

    /** Scores decoded and checked: riffle's, whose models are audited. */
    long checkedScores() {
        return checkedScores;
    }

    /** Checked scores that were not ALLOW: the scoring job also wrote each as an alert. */
    long flaggedScores() {
        return flaggedScores;
    }

    String firstBadScore() {
        return firstBadScore;
    }

    /** The first missing event index, or -1 when none is missing. */
    long firstMissing() {
        int i = seen.nextClearBit(0);
        return i < expected ? i : -1;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

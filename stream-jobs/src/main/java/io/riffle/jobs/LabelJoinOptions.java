package io.riffle.jobs;

import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.LabelsSpec;
import io.riffle.modelops.spec.ScoringSpec;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every option of the label-join job, typed, with its default and description. Options both jobs
 * need (Kafka servers, shared topics, delivery, checkpoints, transaction timeout) have the same
 * keys and defaults as in {@link ScoringOptions}, so one configuration drives both; what must
 * differ between the two jobs on one cluster (consumer group, transactional ids) has its own key.
 */
public final class LabelJoinOptions {
    /** The pipeline file's defaults, the single source of the defaults below that a file can set. */
    private static final LabelsSpec FILE = LabelsSpec.defaults();


    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ScoringOptions.BOOTSTRAP_SERVERS;

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES = ScoringOptions.KAFKA_PROPERTIES;

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<String> FEATURES_TOPIC = ScoringOptions.FEATURES_TOPIC;

    public static final ConfigOption<String> LABELS_TOPIC = ConfigOptions.key("riffle.topics.labels")
            .stringType().defaultValue(KafkaSpec.TopicNames.defaults().labels())
            .withDescription("Topic of the labels (Label: event id, label, label time; key = event id).");

    public static final ConfigOption<DataFormat> LABELS_FORMAT = ConfigOptions.key("riffle.labels.format")
            .enumType(DataFormat.class).defaultValue(FILE.format())
            .withDescription("Encoding of the labels topic: AVRO (single-object encoding) or JSON.");

    public static final ConfigOption<String> LABELS_EVENT_ID_FIELD = ConfigOptions.key("riffle.labels.event-id-field")
            .stringType().defaultValue(FILE.eventIdField())
            .withDescription("JSON labels: the field holding the event id (the join key).");

    public static final ConfigOption<String> LABELS_LABEL_FIELD = ConfigOptions.key("riffle.labels.label-field")
            .stringType().defaultValue(FILE.labelField())
            .withDescription("JSON labels: the field holding the label (0/1). A JSON label without labelTime takes its Kafka timestamp.");

    public static final ConfigOption<String> TRAINING_TOPIC = ConfigOptions.key("riffle.topics.training")
            .stringType().defaultValue(KafkaSpec.TopicNames.defaults().training())
            .withDescription("Topic the training examples (feature vector + label) are written to, key = event id;"
                    + " record timestamp = label time.");

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = ScoringOptions.DEAD_LETTERS_TOPIC;

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("riffle.label-join.group-id")
            .stringType().defaultValue("riffle-label-join")
            .withDescription("Consumer group of the features and labels sources (offsets are committed on"
                    + " checkpoints).");

    public static final ConfigOption<Long> START_TIMESTAMP = ConfigOptions.key("riffle.label-join.start-timestamp")
            .longType().defaultValue(-1L)
            .withDescription("If set (epoch ms), both sources start from the first records at or after this Kafka"
                    + " timestamp; -1: the committed offsets, else the earliest.");

    public static final ConfigOption<Duration> MAX_DELAY = ConfigOptions.key("riffle.labels.max-delay")
            .durationType().defaultValue(FILE.maxDelay())
            .withDescription("How long a feature vector waits for its label (and for corrections of it): the TTL of"
                    + " the join state, in processing time.");

    public static final ConfigOption<Duration> WAIT_FOR_FEATURES = ConfigOptions.key("riffle.labels.wait-for-features")
            .durationType().defaultValue(Duration.ofMinutes(1))
            .withDescription("How long a label that arrives before its feature vector waits for it before it is"
                    + " dead-lettered as a label for an unknown or expired event; raise it when replaying a backlog.");

    public static final ConfigOption<Duration> IMPLICIT_NEGATIVE_AFTER = ConfigOptions.key("riffle.labels.implicit-negative-after")
            .durationType().defaultValue(FILE.implicitNegativeAfter())
            .withDescription("If above 0, a feature vector still unlabeled after this long becomes a negative example"
                    + " (label 0; the chargeback convention); a real label arriving later within the max delay corrects"
                    + " it. Must be below the max delay.");

    public static final ConfigOption<Boolean> FROM_NEXT_EVENT = ConfigOptions.key("riffle.labels.from-next-event")
            .booleanType().defaultValue(false)
            .withDescription("Take each feature vector's label from its entity's next event (the next vector's labelValue,"
                    + " which the scorer fills from labels.from-next-event.field) instead of the labels topic, which is"
                    + " then not read. Examples carry label -1 and the value as labelClass.");

    public static final ConfigOption<Duration> NEXT_EVENT_WITHIN = ConfigOptions.key("riffle.labels.next-event-within")
            .durationType().defaultValue(Duration.ofMinutes(30))
            .withDescription("With from-next-event: how much later (event time, inclusive) an entity's next event may come"
                    + " and still label its previous one; a vector with none that soon gets no label (counted).");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("riffle.labels.out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("Bounded out-of-orderness of the event-time watermarks of both inputs (feature event"
                    + " time, label time).");

    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("riffle.labels.idleness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A features or labels partition without records for this long stops holding the"
                    + " watermark back (labels are often sparse).");

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<String> DELIVERY = ScoringOptions.DELIVERY;

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ScoringOptions.CHECKPOINT_INTERVAL;

    /** Shared with the scoring job: one key, one definition. */
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ScoringOptions.TRANSACTION_TIMEOUT;

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("riffle.label-join.transactional-id-prefix")
            .stringType().defaultValue("riffle-label-join")
            .withDescription("Prefix of the label join's transactional ids; unique per job on one Kafka cluster.");

    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("riffle.label-join.parallelism")
            .intType().defaultValue(2).withDescription("Parallelism of the label join's sources, join and sinks.");

    private LabelJoinOptions() {}

    /** Every option declared here, for documentation and validation. */
    public static List<ConfigOption<?>> all() {
        return OptionTables.declaredIn(LabelJoinOptions.class);
    }

    /** The README's option reference table (Markdown), generated from the declarations above. */
    public static String markdownTable() {
        return OptionTables.markdown(all());
    }

    /** Whether the sinks use Kafka transactions; rejects anything but the two documented values. */
    public static boolean exactlyOnce(Configuration conf) {
        return ScoringOptions.delivery(conf, DELIVERY) == ScoringSpec.Delivery.EXACTLY_ONCE;
    }

    /** Checks the join's durations against each other; the message names the options. */
    public static void validate(Configuration conf) {
        Duration maxDelay = conf.get(MAX_DELAY);
        Duration wait = conf.get(WAIT_FOR_FEATURES);
        Duration implicit = conf.get(IMPLICIT_NEGATIVE_AFTER);
        Duration within = conf.get(NEXT_EVENT_WITHIN);
        if (conf.get(FROM_NEXT_EVENT) && (within.isNegative() || within.isZero())) {
            throw new IllegalArgumentException(NEXT_EVENT_WITHIN.key() + " must be positive, is " + within);
        }
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException(MAX_DELAY.key() + " must be positive, is " + maxDelay);
        }
        if (wait.isNegative()) {
            throw new IllegalArgumentException(WAIT_FOR_FEATURES.key() + " must not be negative, is " + wait);
        }
        if (implicit.isNegative() || implicit.compareTo(maxDelay) >= 0) {
            throw new IllegalArgumentException(IMPLICIT_NEGATIVE_AFTER.key() + " (" + implicit + ") must be 0 (off) or"
                    + " between 0 and " + MAX_DELAY.key() + " (" + maxDelay + "): the vector must still be there to"
                    + " become a negative example and to be corrected by a late label");
        }
        exactlyOnce(conf);
    }
}

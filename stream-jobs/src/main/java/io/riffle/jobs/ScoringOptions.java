package io.riffle.jobs;

import io.riffle.jobs.operators.SpecFeatureRows;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.OutputTimestamp;
import io.riffle.modelops.spec.ScoringSpec;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelVerifier;
import io.riffle.modelops.validation.ModelPolicy;
import io.riffle.schemas.Decision;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Every option of the scoring job, typed, with its default and description. Nothing else reads
 * an option by a bare string; the README's reference table lists these.
 */
public final class ScoringOptions {
    /** The pipeline file's defaults, the single source of the defaults below that a file can set. */
    private static final ScoringSpec FILE = ScoringSpec.defaults();
    private static final KafkaSpec.TopicNames TOPICS = KafkaSpec.TopicNames.defaults();

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOptions.key("riffle.kafka.bootstrap-servers")
            .stringType().defaultValue(KafkaSpec.DEFAULT_BOOTSTRAP_SERVERS)
            .withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES = ConfigOptions.key("riffle.kafka.properties")
            .mapType().defaultValue(Map.of())
            .withDescription("Extra Kafka client properties for every source and sink (security.protocol, sasl.*, ...), as key:value,key:value.");

    public static final ConfigOption<String> EVENTS_TOPIC = ConfigOptions.key("riffle.topics.events")
            .stringType().defaultValue(TOPICS.events()).withDescription("Topic of the events to score.");

    public static final ConfigOption<String> MODELS_TOPIC = ConfigOptions.key("riffle.topics.models")
            .stringType().defaultValue(TOPICS.models()).withDescription("Compacted topic of model versions.");

    public static final ConfigOption<String> SCORES_TOPIC = ConfigOptions.key("riffle.topics.scores")
            .stringType().defaultValue(TOPICS.scores()).withDescription("Topic the scores are written to.");

    public static final ConfigOption<String> FEATURES_TOPIC = ConfigOptions.key("riffle.topics.features")
            .stringType().defaultValue(TOPICS.features())
            .withDescription("Topic the feature vectors are written to (the label join trains on exactly these); empty to not write them.");

    public static final ConfigOption<String> ALERTS_TOPIC = ConfigOptions.key("riffle.topics.alerts")
            .stringType().defaultValue(TOPICS.alerts())
            .withDescription("Topic that receives the scores whose decision is REVIEW or BLOCK.");

    public static final ConfigOption<String> RECOMMENDATIONS_TOPIC = ConfigOptions.key("riffle.topics.recommendations")
            .stringType().defaultValue(TOPICS.recommendations())
            .withDescription("Topic that receives the top-k of every multiclass model per scored event (keyed by entity).");

    public static final ConfigOption<String> MODEL_EVENTS_TOPIC = ConfigOptions.key("riffle.topics.model-events")
            .stringType().defaultValue(TOPICS.modelEvents()).withDescription("Topic of model loaded/rejected events.");

    public static final ConfigOption<String> DEAD_LETTERS_TOPIC = ConfigOptions.key("riffle.topics.dead-letters")
            .stringType().defaultValue(TOPICS.deadLetters()).withDescription("Topic of records that could not be scored.");

    public static final ConfigOption<String> GROUP_ID = ConfigOptions.key("riffle.kafka.group-id")
            .stringType().defaultValue("riffle-scorer")
            .withDescription("Consumer group of the events source (offsets are committed on checkpoints).");

    public static final ConfigOption<Boolean> FROM_EARLIEST = ConfigOptions.key("riffle.events.from-earliest")
            .booleanType().defaultValue(true)
            .withDescription("Start from the earliest events when the group has no committed offset (else the latest).");

    public static final ConfigOption<Long> START_TIMESTAMP = ConfigOptions.key("riffle.events.start-timestamp")
            .longType().defaultValue(-1L)
            .withDescription("If set (epoch ms), start from the first events at or after this Kafka timestamp instead of the committed offsets.");

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOptions.key("riffle.scoring.batch-size")
            .intType().defaultValue(FILE.batchSize())
            .withDescription("Records per ONNX Runtime call: a batch is scored when it is this full...");

    public static final ConfigOption<Duration> BATCH_MAX_DELAY = ConfigOptions.key("riffle.scoring.batch-max-delay")
            .durationType().defaultValue(FILE.maxDelay())
            .withDescription("...or when its first record has waited this long (processing time).");

    public static final ConfigOption<Integer> CUDA_BATCH_SIZE = ConfigOptions.key("riffle.scoring.cuda.batch-size")
            .intType().defaultValue(FILE.cudaBatchSize())
            .withDescription("Records per ONNX Runtime call while the models run on a CUDA device (a call costs about the same whatever the batch).");

    public static final ConfigOption<Duration> CUDA_BATCH_MAX_DELAY = ConfigOptions.key("riffle.scoring.cuda.batch-max-delay")
            .durationType().defaultValue(FILE.cudaMaxDelay())
            .withDescription("The longest a batch's first record waits while the models run on a CUDA device.");

    public static final ConfigOption<Integer> WARM_CHUNK = ConfigOptions.key("riffle.scoring.warm-chunk")
            .intType().defaultValue(SpecFeatureRows.DEFAULT_WARM_CHUNK)
            .withDescription("Records whose entity state the scorer looks up and reads into the CPU cache together before"
                    + " computing their features (heap state only): their cache misses overlap. 0 computes each record's"
                    + " features as it arrives.");

    public static final ConfigOption<Integer> MAX_WAITING = ConfigOptions.key("riffle.scoring.max-waiting")
            .intType().defaultValue(100_000)
            .withDescription("Records held per subtask while no model is loaded; beyond it they become dead letters.");

    public static final ConfigOption<String> REQUIRED_MODELS = ConfigOptions.key("riffle.scoring.required-models")
            .stringType().defaultValue("")
            .withDescription("Comma-separated model names that must all be loaded before scoring starts (empty: any one).");

    public static final ConfigOption<String> DEVICE = ConfigOptions.key("riffle.scoring.device")
            .stringType().defaultValue(FILE.device().toString())
            .withDescription("ONNX Runtime device: cpu, cuda, cuda:N, or auto (CUDA if available, else CPU with a warning).");

    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("riffle.scoring.intra-op-threads")
            .intType().defaultValue(1).withDescription("ONNX Runtime intra-op threads per session.");

    public static final ConfigOption<Boolean> CUDA_TF32 = ConfigOptions.key("riffle.scoring.cuda-tf32")
            .booleanType().defaultValue(FILE.cudaTf32())
            .withDescription("Let the CUDA provider compute matrix products in TF32: same speed on an H200, outputs differ from the CPU by up to 5.4e-4 instead of 1.8e-7.");

    public static final ConfigOption<Decision> ON_MODEL_FAILURE = ConfigOptions.key("riffle.scoring.on-model-failure")
            .enumType(Decision.class).defaultValue(FILE.onModelFailure())
            .withDescription("Decision for a record on which a deciding (champion) model outputs NaN or an infinity, with a reason code saying so: REVIEW, BLOCK or ALLOW (ALLOW fails open: a broken model lets every record through).");

    public static final ConfigOption<List<String>> TRUSTED_KEYS = ConfigOptions.key("riffle.models.trusted-keys")
            .stringType().asList().defaultValues()
            .withDescription("Public key files (PEM, NAME.pub from 'riffle models keygen'), separated by ';', whose signatures the scorer trusts: with any, a model version that is unsigned or whose signature none of them verifies is rejected. Read where the job is built; the keys travel with the job. Empty: signatures are not checked.");

    public static final ConfigOption<Map<String, String>> TOP_K = ConfigOptions.key("riffle.scoring.top-k")
            .mapType().defaultValue(Map.of())
            .withDescription("Classes a multiclass model's scores and recommendations carry, by model name, e.g. recs:10 (default " + ModelSpec.DEFAULT_TOP_K + ").");

    public static final ConfigOption<List<String>> ALLOWED_MODELS = ConfigOptions.key("riffle.models.allowed")
            .stringType().asList().defaultValues()
            .withDescription("Model names the scorer serves, separated by ';' (a pipeline file sets its models' names): a version of another name is rejected, except the non-deciding NAME-shadow a trainer publishes for a listed model. Empty: any name.");

    public static final ConfigOption<Boolean> REQUIRE_SPEC_HASH = ConfigOptions.key("riffle.models.require-spec-hash")
            .booleanType().defaultValue(FILE.requireSpecHash())
            .withDescription("Reject a model version that has no feature spec hash: a pipeline's scorer then serves only models stamped as built for its features.");

    public static final ConfigOption<MemorySize> MAX_MODEL_SIZE = ConfigOptions.key("riffle.models.max-size")
            .memoryType().defaultValue(MemorySize.ofMebiBytes(256))
            .withDescription("Largest ONNX model the scorer loads; a larger version is rejected.");

    public static final ConfigOption<String> DELIVERY = ConfigOptions.key("riffle.sink.delivery")
            .stringType().defaultValue(FILE.delivery().spelling())
            .withDescription("Sink delivery guarantee: exactly-once (Kafka transactions tied to checkpoints) or at-least-once.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("riffle.checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(2))
            .withDescription("Checkpoint interval; with exactly-once, scores become visible to read_committed readers at each checkpoint.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = ConfigOptions.key("riffle.sink.transaction-timeout")
            .durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("Kafka transaction timeout: how long output pending commit survives a failure before the broker aborts it, so it must cover the slowest recovery (restart, restore, next checkpoint); at most the broker's transaction.max.timeout.ms (15 min by default), which run, score and submit check before starting.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = ConfigOptions.key("riffle.sink.transactional-id-prefix")
            .stringType().defaultValue("riffle-scorer")
            .withDescription("Prefix of the sinks' transactional ids; unique per job on one Kafka cluster.");

    public static final ConfigOption<Duration> IDLENESS = ConfigOptions.key("riffle.events.idleness")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A partition without events for this long stops holding the watermark back.");

    public static final ConfigOption<Duration> BUFFER_TIMEOUT = ConfigOptions.key("riffle.network.buffer-timeout")
            .durationType().defaultValue(Duration.ofMillis(10))
            .withDescription("Longest a record waits in a network buffer between operators (Flink's default, 100 ms, costs latency at each shuffle).");

    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("riffle.parallelism")
            .intType().defaultValue(FILE.parallelism()).withDescription("Parallelism of the events source and the scorer (which computes the features).");

    public static final ConfigOption<OutputTimestamp> OUTPUT_TIMESTAMP = ConfigOptions.key("riffle.sink.output-timestamp")
            .enumType(OutputTimestamp.class).defaultValue(FILE.outputTimestamp())
            .withDescription("Kafka timestamp of scores, alerts, features and dead letters: WRITE_TIME (broker retention counts from when they were written), INGEST_TIME (the input record's) or EVENT_TIME (a replay of old events would then be deleted by retention soon after it is written).");

    private ScoringOptions() {}

    /** Every option declared here, for documentation and validation. */
    public static List<ConfigOption<?>> all() {
        return OptionTables.declaredIn(ScoringOptions.class);
    }

    /** The README's option reference table (Markdown), generated from the declarations above. */
    public static String markdownTable() {
        return OptionTables.markdown(all());
    }

    /**
     * The extra Kafka client properties, refusing those that would weaken what the jobs promise:
     * a reader that is not {@code read_committed} would see (and score, or train on) output of
     * transactions that are later aborted.
     *
     * @throws IllegalArgumentException naming the property and what to do
     */
    public static Map<String, String> clientProperties(Configuration conf) {
        Map<String, String> properties = conf.get(KAFKA_PROPERTIES);
        String isolation = properties.get("isolation.level");
        if (isolation != null && !isolation.trim().equals("read_committed")) {
            throw new IllegalArgumentException("Kafka property isolation.level=" + isolation + " is refused: Riffle reads"
                    + " only committed records (read_committed); remove it from the Kafka properties");
        }
        return Map.copyOf(properties);
    }

    /**
     * What the scorer admits ({@link #TRUSTED_KEYS}, {@link #ALLOWED_MODELS}, {@link
     * #REQUIRE_SPEC_HASH}). Reads the key files here, where the job is built: the policy carries
     * the keys' bytes to task managers that do not have the files.
     *
     * @throws IllegalArgumentException naming the option and the file when a key cannot be read
     */
    public static ModelPolicy modelPolicy(Configuration conf) {
        List<Path> files = conf.get(TRUSTED_KEYS).stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        ModelVerifier verifier;
        try {
            verifier = ModelVerifier.fromFiles(files);
        } catch (KeyFileException e) {
            throw new IllegalArgumentException(TRUSTED_KEYS.key() + ": " + e.getMessage(), e);
        }
        List<String> allowed = conf.get(ALLOWED_MODELS).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new ModelPolicy(verifier, allowed, conf.get(REQUIRE_SPEC_HASH));
    }

    /** Whether the sinks use Kafka transactions; rejects anything but the two documented values. */
    public static boolean exactlyOnce(Configuration conf) {
        return delivery(conf, DELIVERY) == ScoringSpec.Delivery.EXACTLY_ONCE;
    }

    /**
     * The delivery guarantee {@code option} names.
     *
     * @throws IllegalArgumentException naming the option and the allowed values
     */
    static ScoringSpec.Delivery delivery(Configuration conf, ConfigOption<String> option) {
        try {
            return ScoringSpec.Delivery.parse(conf.get(option));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option.key() + " is " + e.getMessage(), e);
        }
    }

    /**
     * The ONNX Runtime device {@link #DEVICE} names.
     *
     * @throws IllegalArgumentException naming the option and the allowed values
     */
    public static DeviceRequest device(Configuration conf) {
        try {
            return DeviceRequest.parse(conf.get(DEVICE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(DEVICE.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #TOP_K} as numbers by model name.
     *
     * @throws IllegalArgumentException naming the option and the entry that is not a whole number from 1 to 1000
     */
    public static Map<String, Integer> topK(Configuration conf) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : conf.get(TOP_K).entrySet()) {
            int k;
            try {
                k = Integer.parseInt(e.getValue().trim());
            } catch (NumberFormatException ex) {
                k = -1;
            }
            if (k < 1 || k > ModelSpec.MAX_TOP_K) {
                throw new IllegalArgumentException(TOP_K.key() + ": '" + e.getValue() + "' for model " + e.getKey()
                        + " is not a whole number from 1 to " + ModelSpec.MAX_TOP_K);
            }
            out.put(e.getKey().trim(), k);
        }
        return out;
    }

    /** The model names {@link #REQUIRED_MODELS} lists (blanks and empty entries ignored). */
    public static List<String> requiredModels(Configuration conf) {
        return Arrays.stream(conf.get(REQUIRED_MODELS).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

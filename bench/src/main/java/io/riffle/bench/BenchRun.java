package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.HdrHistogram.Histogram;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One bench run: starts an embedded broker, pre-produces the events, then for each variant runs
 * a throughput phase (the whole backlog, the rate from first to last output, CPU over that
 * window; during Riffle's, model versions are published every few seconds) and afterwards a
 * latency phase at a fixed offered load, each on a fresh Flink MiniCluster of the same
 * parallelism. Every phase's output is audited for exactly-once. Results are a JSON tree.
 */
public final class BenchRun {
    static final String EVENTS_TOPIC = "bench.events";
    static final String MODELS_TOPIC = "bench.models";
    static final char THROUGHPUT_PREFIX = 'e';
    static final char LATENCY_PREFIX = 'l';
    private static final long TRICKLE_PER_S = 200;

    private final BenchSettings settings;
    private final Consumer<String> progress;
    private final ObjectMapper json = new ObjectMapper();
    private final long started = System.nanoTime();
    private final List<String> problems = new ArrayList<>();

    private EmbeddedKafka kafka;
    private CpuSampler cpu;
    private ModelPublisher registry;
    private List<ModelVersion> initialModels;
    private int nextFraudVersion = 2;

    public BenchRun(BenchSettings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Runs every phase and returns the results (see {@link BenchReport} for the keys). */
    public ObjectNode run() throws Exception {
        ObjectNode root = json.createObjectNode();
        root.set("machine", machine());
        root.set("settings", settingsJson());
        try (EmbeddedKafka k = EmbeddedKafka.start(); CpuSampler sampler = new CpuSampler();
             ModelPublisher models = ModelPublisher.open(k.bootstrapServers(), MODELS_TOPIC, Map.of(), null)) {
            kafka = k;
            cpu = sampler;
            registry = models;
            say("broker up at " + k.bootstrapServers());
            kafka.createTopic(EVENTS_TOPIC, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
            kafka.createTopic(MODELS_TOPIC, 1, Map.of("cleanup.policy", "compact",
                    "max.message.bytes", String.valueOf(ModelRegistry.MAX_MESSAGE_BYTES)));
            initialModels = List.of(BenchModels.anomaly(1), BenchModels.fraud(1));
            for (ModelVersion mv : initialModels) {
                registry.publish(mv);
            }
            root.set("produce", produceBacklog());

            Map<Variant, ObjectNode> results = new EnumMap<>(Variant.class);
            ObjectNode swap = null;
            for (Variant v : settings.variants()) {
                ObjectNode r = json.createObjectNode();
                ModelSwapper swapper = null;
                if (v == Variant.RIFFLE && !settings.swapEvery().isZero()) {
                    swapper = new ModelSwapper(registry, nextFraudVersion, settings.swapEvery());
                }
                OutputAudit audit = throughputPhase(v, r, swapper);
                if (swapper != null) {
                    nextFraudVersion = swapper.nextVersion();
                    swap = swapResult(swapper, audit);
                }
                audit.close();
                results.put(v, r);
            }
            double rate = latencyRate(results);
            ObjectNode load = root.putObject("latency_load");
            load.put("events_per_s", Math.round(rate));
            load.put("fraction_of_passthrough", settings.latencyRate() > 0 ? null : settings.latencyLoad());
            load.put("warmup_s", settings.warmup().toMillis() / 1000.0);
            load.put("measured_s", settings.latencyDuration().toMillis() / 1000.0);
            for (Variant v : settings.variants()) {
                latencyPhase(v, results.get(v), rate);
            }
            ObjectNode variants = root.putObject("variants");
            for (Variant v : settings.variants()) {
                variants.set(v.key(), results.get(v));
            }
            root.set("ratios", ratios(results));
            root.set("model_swap", swap == null ? json.createObjectNode().put("skipped", true) : swap);
        }
        root.put("duration_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        root.put("ok", problems.isEmpty());
        root.putPOJO("problems", problems);
        return root;
    }

    private ObjectNode produceBacklog() {
        say(String.format("producing %,d events to %s ...", settings.events(), EVENTS_TOPIC));
        long t0 = System.nanoTime();
        int bytes;
        try (KafkaProducer<byte[], byte[]> producer = BenchEvents.producer(kafka.bootstrapServers())) {
            bytes = BenchEvents.produce(producer, AvroSerde.of(Transaction.class), EVENTS_TOPIC, THROUGHPUT_PREFIX, 0,
                    settings.events());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        say(String.format("produced %,d events (%d bytes each in Avro) in %.1f s: %,.0f events/s", settings.events(),
                bytes, seconds, settings.events() / seconds));
        ObjectNode n = json.createObjectNode();
        n.put("events", settings.events());
        n.put("value_bytes", bytes);
        n.put("events_per_s", Math.round(settings.events() / seconds));
        return n;
    }

    private OutputAudit throughputPhase(Variant v, ObjectNode r, ModelSwapper swapper) throws Exception {
        String out = "bench.out." + v.key();
        kafka.createTopic(out, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
        OutputAudit audit = new OutputAudit(kafka.bootstrapServers(), out, v, THROUGHPUT_PREFIX, settings.events(), 0,
                v == Variant.RIFFLE);
        say(String.format("[%s] throughput: %,d events, %s, parallelism %d%s", v.key(), settings.events(),
                settings.delivery(), settings.parallelism(),
                swapper != null ? ", a new fraud model version every " + settings.swapEvery().toMillis() + " ms" : ""));
        long t0 = System.currentTimeMillis();
        JobClient job = start(v, EVENTS_TOPIC, out, "tp");
        if (swapper != null) {
            swapper.start();
        }
        long deadline = System.nanoTime() + settings.variantTimeout().toNanos();
        long lastSay = System.nanoTime();
        long lastEnds = 0;
        long lastT = System.nanoTime();
        String failure = null;
        try {
            while (!audit.complete()) {
                Thread.sleep(250);
                failure = terminalFailure(job);
                if (failure != null || System.nanoTime() > deadline) {
                    break;
                }
                long ends = audit.committedEndOffsets();
                if (ends >= settings.events()) {
                    audit.readAvailable();
                }
                if (System.nanoTime() - lastSay > 2_000_000_000L) {
                    long now = System.nanoTime();
                    say(String.format("[%s] %,d / %,d committed, %,.0f/s", v.key(), Math.min(ends, settings.events()),
                            settings.events(), (ends - lastEnds) / ((now - lastT) / 1e9)));
                    lastSay = now;
                    lastEnds = ends;
                    lastT = now;
                }
            }
        } finally {
            if (swapper != null) {
                swapper.close();
            }
            stop(job);
        }
        audit.readAvailable();
        long cpuNanos = audit.distinct() > 1 ? cpu.cpuNanosBetween(audit.firstAppend(), audit.lastAppend()) : 0;
        double seconds = (audit.lastAppend() - audit.firstAppend()) / 1000.0;
        double rate = audit.distinct() > 1 && seconds > 0 ? (audit.distinct() - 1) / seconds : 0;
        r.put("events_per_s", Math.round(rate));
        r.put("cpu_s_per_million", audit.distinct() > 0 ? round(cpuNanos / 1e9 / audit.distinct() * 1e6, 2) : null);
        r.put("cores_busy", seconds > 0 ? round(cpuNanos / 1e9 / seconds, 2) : null);
        r.put("first_to_last_output_s", round(seconds, 2));
        r.put("wall_s", round((System.currentTimeMillis() - t0) / 1000.0, 1));
        r.set("throughput_phase", exactness(v, "throughput", audit, settings.events(), failure));
        say(String.format("[%s] %,.0f events/s sustained, %.2f CPU s per million events, %s", v.key(), rate,
                cpuNanos / 1e9 / Math.max(1, audit.distinct()) * 1e6, exactSummary(audit, settings.events())));
        return audit;
    }

    private void latencyPhase(Variant v, ObjectNode r, double rate) throws Exception {
        String in = "bench.lat.in." + v.key();
        String out = "bench.lat.out." + v.key();
        kafka.createTopic(in, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
        kafka.createTopic(out, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
        OutputAudit audit = new OutputAudit(kafka.bootstrapServers(), out, v, LATENCY_PREFIX, Integer.MAX_VALUE,
                Long.MAX_VALUE, false);
        say(String.format("[%s] latency: %,.0f events/s offered for %d s (after the job is up and %d s warm-up)",
                v.key(), rate, settings.latencyDuration().toSeconds(), settings.warmup().toSeconds()));
        JobClient job = start(v, in, out, "lat");
        PacedProducer producer = new PacedProducer(in, rate);
        producer.start();
        long deadline = System.nanoTime() + settings.variantTimeout().toNanos();
        String failure = null;
        try {
            while (true) {
                audit.poll(Duration.ofMillis(100));
                if (audit.distinct() > 0) {
                    producer.jobUp();
                }
                if (producer.done() && audit.distinct() >= producer.sent()) {
                    break;
                }
                failure = terminalFailure(job);
                if (failure != null || System.nanoTime() > deadline || producer.failure() != null) {
                    if (failure == null) {
                        failure = producer.failure() != null ? "producer failed: " + producer.failure().getMessage()
                                : "timed out";
                    }
                    break;
                }
                audit.setMeasuredFrom(producer.measuredFrom());
            }
        } finally {
            producer.stop();
            stop(job);
        }
        audit.setExpected(producer.sent());
        audit.readAvailable();
        Histogram h = audit.latency();
        Histogram vis = audit.visible();
        r.put("p50_ms", h.getValueAtPercentile(50));
        r.put("p95_ms", h.getValueAtPercentile(95));
        r.put("p99_ms", h.getValueAtPercentile(99));
        r.put("max_ms", h.getMaxValue());
        r.put("latency_samples", h.getTotalCount());
        r.put("visible_p50_ms", vis.getValueAtPercentile(50));
        r.put("visible_p99_ms", vis.getValueAtPercentile(99));
        ObjectNode phase = exactness(v, "latency", audit, producer.sent(), failure);
        phase.put("offered_events_per_s", Math.round(rate));
        phase.put("measured_events", producer.sent() - producer.measuredFrom());
        r.set("latency_phase", phase);
        say(String.format("[%s] latency ingestion -> output p50 %d ms, p95 %d, p99 %d, max %d (read_committed visible"
                        + " p50 %d, p99 %d); %s", v.key(), h.getValueAtPercentile(50), h.getValueAtPercentile(95),
                h.getValueAtPercentile(99), h.getMaxValue(), vis.getValueAtPercentile(50),
                vis.getValueAtPercentile(99), exactSummary(audit, producer.sent())));
        audit.close();
    }

    private double latencyRate(Map<Variant, ObjectNode> results) {
        if (settings.latencyRate() > 0) {
            return settings.latencyRate();
        }
        ObjectNode pass = results.get(Variant.PASSTHROUGH);
        long max = pass == null ? results.values().iterator().next().get("events_per_s").asLong()
                : pass.get("events_per_s").asLong();
        return Math.max(100, settings.latencyLoad() * max);
    }

    private ObjectNode exactness(Variant v, String phase, OutputAudit audit, long expected, String failure) {
        ObjectNode n = json.createObjectNode();
        n.put("expected", expected);
        n.put("records_out", audit.records());
        n.put("distinct", audit.distinct());
        n.put("missing", expected - audit.distinct());
        n.put("duplicates", audit.duplicates());
        n.put("unexpected", audit.foreign());
        boolean ok = failure == null && audit.distinct() == expected && audit.duplicates() == 0 && audit.foreign() == 0;
        n.put("exactly_once", ok);
        if (failure != null) {
            n.put("failure", failure);
        }
        if (!ok) {
            String p = String.format("%s %s phase: NOT EXACTLY ONCE: expected %,d, distinct %,d, missing %,d (first"
                            + " missing index %d), duplicates %,d, unexpected %,d%s", v.key(), phase, expected,
                    audit.distinct(), expected - audit.distinct(), audit.firstMissing(), audit.duplicates(),
                    audit.foreign(), failure == null ? "" : "; " + failure);
            problems.add(p);
            say("!!! " + p);
        }
        return n;
    }

    private static String exactSummary(OutputAudit audit, long expected) {
        boolean ok = audit.distinct() == expected && audit.duplicates() == 0 && audit.foreign() == 0;
        return ok ? String.format("all %,d records exactly once", expected)
                : String.format("NOT exactly once: %,d missing, %,d duplicates", expected - audit.distinct(),
                audit.duplicates());
    }

    private ObjectNode swapResult(ModelSwapper swapper, OutputAudit audit) {
        ObjectNode n = json.createObjectNode();
        Map<Integer, Long> published = swapper.published();
        Map<Integer, Long> seen = audit.firstScoreWithFraudVersion();
        Histogram h = new Histogram(3_600_000L, 3);
        int observed = 0;
        int unobserved = 0;
        for (Map.Entry<Integer, Long> e : published.entrySet()) {
            Long first = seen.get(e.getKey());
            if (first != null) {
                h.recordValue(Math.max(0, first - e.getValue()));
                observed++;
            } else if (e.getValue() < audit.lastAppend() - 1000) {
                // Published a second or more before the last score, yet no score carries it.
                unobserved++;
            }
        }
        List<Integer> unknown = new ArrayList<>();
        for (Integer version : seen.keySet()) {
            if (version != 1 && !published.containsKey(version)) {
                unknown.add(version);
            }
        }
        n.put("versions_published", published.size());
        n.put("versions_observed", observed);
        n.put("versions_never_served", unobserved);
        n.put("p50_ms", observed > 0 ? h.getValueAtPercentile(50) : null);
        n.put("max_ms", observed > 0 ? h.getMaxValue() : null);
        n.put("scores_with_bad_models", audit.badScores());
        n.putPOJO("unknown_versions_served", unknown);
        boolean ok = audit.badScores() == 0 && unknown.isEmpty() && unobserved == 0 && swapper.failure() == null
                && audit.missing() == 0 && audit.duplicates() == 0;
        n.put("ok", ok);
        if (!ok) {
            String p = "model swap check failed: " + audit.badScores() + " scores with bad model sets"
                    + (audit.firstBadScore() == null ? "" : " (first: " + audit.firstBadScore() + ")")
                    + ", unknown versions " + unknown + ", " + unobserved + " versions never served"
                    + (swapper.failure() == null ? "" : ", publishing failed: " + swapper.failure().getMessage());
            problems.add(p);
            say("!!! " + p);
        }
        say(String.format("[riffle] model swap: %d versions published, %d observed; publish -> first score p50 %s ms,"
                        + " max %s ms; %d scores with a bad model set", published.size(), observed,
                observed > 0 ? h.getValueAtPercentile(50) : "-", observed > 0 ? h.getMaxValue() : "-",
                audit.badScores()));
        return n;
    }

    private ObjectNode ratios(Map<Variant, ObjectNode> results) {
        ObjectNode n = json.createObjectNode();
        ObjectNode riffle = results.get(Variant.RIFFLE);
        ObjectNode pass = results.get(Variant.PASSTHROUGH);
        ObjectNode naive = results.get(Variant.NAIVE);
        n.put("riffle_vs_passthrough", ratio(riffle, pass, "events_per_s"));
        n.put("riffle_vs_naive", ratio(riffle, naive, "events_per_s"));
        n.put("cpu_riffle_vs_passthrough", ratio(riffle, pass, "cpu_s_per_million"));
        n.put("cpu_riffle_vs_naive", ratio(riffle, naive, "cpu_s_per_million"));
        return n;
    }

    private static Double ratio(ObjectNode a, ObjectNode b, String key) {
        if (a == null || b == null || !a.hasNonNull(key) || !b.hasNonNull(key) || b.get(key).asDouble() == 0) {
            return null;
        }
        return round(a.get(key).asDouble() / b.get(key).asDouble(), 3);
    }

    private JobClient start(Variant v, String in, String out, String phase) throws Exception {
        String id = "bench-" + v.key() + "-" + phase;
        if (v == Variant.RIFFLE) {
            // The scoring job's other sinks (the broker does not create topics on first use).
            for (String suffix : List.of(".alerts", ".model-events", ".dead-letters")) {
                kafka.createTopic(out + suffix, settings.parallelism(), Map.of());
            }
        }
        JobSettings s = new JobSettings(kafka.bootstrapServers(), in, out, MODELS_TOPIC, id, id,
                settings.exactlyOnce(), settings.parallelism(), settings.checkpointInterval(), settings.batchSize(),
                settings.batchMaxDelay(), settings.objectReuse());
        StreamExecutionEnvironment env = environment();
        BenchJobs.build(v, s, initialModels, env);
        return env.executeAsync(id);
    }

    private StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism());
        conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.OBJECT_REUSE, settings.objectReuse());
        // Checkpoints go to files, as in `riffle run`: the JobManager's memory storage refuses state over 5 MB.
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDirectory().toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(settings.parallelism());
        return env;
    }

    private java.nio.file.Path checkpoints;

    /** One temporary folder per run; Flink deletes each checkpoint once it is superseded or the job ends. */
    private java.nio.file.Path checkpointDirectory() {
        if (checkpoints == null) {
            try {
                checkpoints = java.nio.file.Files.createTempDirectory("riffle-bench-checkpoints-");
                checkpoints.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create a folder for checkpoints", e);
            }
        }
        return checkpoints;
    }

    /** Null while the job runs; else why it ended. */
    private static String terminalFailure(JobClient job) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                return null;
            }
            try {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                return "job ended early (" + status + ")";
            } catch (Exception e) {
                Throwable c = e;
                while (c.getCause() != null) {
                    c = c.getCause();
                }
                return "job " + status + ": " + c;
            }
        } catch (Exception e) {
            return "job status unavailable: " + e;
        }
    }

    private void stop(JobClient job) {
        try {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            try {
                job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            } catch (Exception expected) {
                // Cancelled.
            }
        } catch (Exception e) {
            say("could not cancel job " + job.getJobID() + ": " + e);
        }
    }

    private ObjectNode machine() {
        ObjectNode n = json.createObjectNode();
        n.put("cores", Runtime.getRuntime().availableProcessors());
        n.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        n.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return n;
    }

    private ObjectNode settingsJson() {
        ObjectNode n = json.createObjectNode();
        n.put("events", settings.events());
        n.put("parallelism", settings.parallelism());
        n.put("batch_size", settings.batchSize());
        n.put("batch_max_delay_ms", settings.batchMaxDelay().toMillis());
        n.put("delivery", settings.delivery());
        n.put("checkpoint_interval_ms", settings.checkpointInterval().toMillis());
        n.put("object_reuse", settings.objectReuse());
        n.put("swap_every_ms", settings.swapEvery().toMillis());
        return n;
    }

    private void say(String line) {
        double t = (System.nanoTime() - started) / 1e9;
        progress.accept(String.format("[%3d:%02d] %s", (int) t / 60, (int) t % 60, line));
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /**
     * Produces the latency phase's events: a trickle until the job's first output shows it is up,
     * then {@code rate} events/s for warm-up plus the measured time. Events from
     * {@link #measuredFrom()} on are the measured ones.
     */
    private final class PacedProducer {
        private final String topic;
        private final double rate;
        private final Thread thread;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean up;
        private volatile boolean done;
        private volatile boolean stopped;
        private volatile long measuredFrom = Long.MAX_VALUE;

        PacedProducer(String topic, double rate) {
            this.topic = topic;
            this.rate = rate;
            this.thread = new Thread(this::run, "riffle-bench-paced-producer");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void jobUp() {
            up = true;
        }

        private void run() {
            AvroSerde<Transaction> serde = AvroSerde.of(Transaction.class);
            try (KafkaProducer<byte[], byte[]> producer = BenchEvents.producer(kafka.bootstrapServers())) {
                long i = 0;
                while (!up && !stopped) {
                    BenchEvents.send(producer, serde, topic, LATENCY_PREFIX, i++, failure);
                    producer.flush();
                    Thread.sleep(1000 / TRICKLE_PER_S);
                    sent.set(i);
                }
                long warmupEvents = (long) (rate * settings.warmup().toMillis() / 1000.0);
                long total = (long) (rate * (settings.warmup().toMillis() + settings.latencyDuration().toMillis())
                        / 1000.0);
                measuredFrom = i + warmupEvents;
                long base = i;
                long t0 = System.nanoTime();
                while (i - base < total && !stopped) {
                    long due = Math.min(total, (long) ((System.nanoTime() - t0) / 1e9 * rate));
                    while (i - base < due) {
                        BenchEvents.send(producer, serde, topic, LATENCY_PREFIX, i++, failure);
                    }
                    sent.set(i);
                    Thread.sleep(1);
                }
                producer.flush();
                sent.set(i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                done = true;
            }
        }

        boolean done() {
            return done;
        }

        long sent() {
            return sent.get();
        }

        long measuredFrom() {
            return measuredFrom;
        }

        Exception failure() {
            return failure.get();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(30_000);
        }
    }
}

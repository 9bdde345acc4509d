package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.riffle.bench.BenchResults.round;

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
    static final String WARMUP_TOPIC = "bench.warmup";
    /** A warm-up round whose JIT compiler threads used fewer cores than this on average leaves the JVM warm. */
    static final double JIT_QUIET_CORES = 0.1;
    /** The shortest phase whose CPU is split by thread group ({@code thread_cores}): 20 samples of the Java threads. */
    static final double MIN_SPLIT_SECONDS = 2.0;
    static final char WARMUP_PREFIX = 'w';
    /** Task managers' process memory in scale-out mode, in total (split over the task managers). */
    static final int CLUSTER_MEMORY_MB = 8192;

    private final BenchSettings settings;
    private final Consumer<String> progress;
    private final ObjectMapper json = new ObjectMapper();
    private final long started = System.nanoTime();
    private final BenchResults results;
    private final List<Integer> taskManagers;

    private EmbeddedKafka kafka;
    private CpuSampler cpu;
    private ModelPublisher registry;
    private List<ModelVersion> initialModels;
    private PhaseJobs jobs;
    private int nextFraudVersion = 2;

    public BenchRun(BenchSettings settings, Consumer<String> progress) {
        this(settings, List.of(), progress);
    }

    /**
     * A run in scale-out mode when {@code taskManagers} is not empty: instead of the MiniCluster
     * phases, each variant's throughput phase (after its warm-up) on a standalone cluster of
     * separate JVMs for each of these task-manager counts, the run's parallelism split evenly over
     * them (same total slots), so that the counts differ only in how many processes the job is
     * spread over and how much of the shuffle crosses the network. No latency phase, no model swaps.
     */
    public BenchRun(BenchSettings settings, List<Integer> taskManagers, Consumer<String> progress) {
        checkTaskManagers(settings.parallelism(), taskManagers);
        this.settings = settings;
        this.taskManagers = List.copyOf(taskManagers);
        this.progress = progress;
        this.results = new BenchResults(json, settings, this::say);
    }

    /** Refuses task-manager counts that do not split {@code parallelism} slots evenly. */
    public static void checkTaskManagers(int parallelism, List<Integer> taskManagers) {
        for (int n : taskManagers) {
            if (n < 1 || parallelism % n != 0) {
                throw new IllegalArgumentException("task-manager counts must divide the parallelism (" + parallelism
                        + ") evenly, was " + n);
            }
        }
    }

    /** Runs every phase and returns the results (see {@link BenchReport} for the keys). */
    public ObjectNode run() throws Exception {
        ObjectNode root = json.createObjectNode();
        root.set("machine", results.machine());
        root.set("settings", results.settingsJson());
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
            jobs = new PhaseJobs(kafka, settings, initialModels, this::say);
            try (PhaseJobs closing = jobs) {
                return measure(root);
            }
        }
    }

    /** The phases, once the broker is up, the models published and the jobs' starter made. */
    private ObjectNode measure(ObjectNode root) throws Exception {
        root.set("produce", produceBacklog(EVENTS_TOPIC, THROUGHPUT_PREFIX, settings.events()));
        if (!taskManagers.isEmpty()) {
            root.set("scale_out", scaleOut());
            return finish(root);
        }
        ObjectNode warmup = null;
        if (settings.warmupEvents() > 0) {
            warmup = root.putObject("warmup");
            warmup.set("produce", produceWarmupBacklog());
            // every variant once first: what they share (the broker, Kafka's client, Flink) is
            // compiled over every variant's run before any is measured
            ObjectNode first = warmup.putObject("first_round");
            for (Variant v : settings.variants()) {
                first.set(v.key(), warmUpJob(v, 0));
            }
        }

        Map<Variant, ObjectNode> byVariant = new EnumMap<>(Variant.class);
        ObjectNode swap = null;
        for (Variant v : settings.variants()) {
            if (warmup != null) {
                warmup.set(v.key(), warmUp(v));
            }
            ObjectNode r = json.createObjectNode();
            ModelSwapper swapper = null;
            if (v.isRiffle() && !settings.swapEvery().isZero()) {
                swapper = new ModelSwapper(registry, nextFraudVersion, settings.swapEvery());
            }
            OutputAudit audit = throughputPhase(v, EVENTS_TOPIC, "bench.out." + v.key(), THROUGHPUT_PREFIX,
                    settings.events(), "tp", r, swapper);
            if (swapper != null) {
                nextFraudVersion = swapper.nextVersion();
                if (v == Variant.RIFFLE) {
                    swap = results.swapResult(swapper, audit);
                } else {
                    root.set("model_swap_alt", results.swapResult(swapper, audit));
                }
            }
            audit.close();
            byVariant.put(v, r);
        }
        double rate = latencyRate(byVariant);
        ObjectNode load = root.putObject("latency_load");
        load.put("events_per_s", Math.round(rate));
        load.put("fraction_of_passthrough", settings.latencyRate() > 0 ? null : settings.latencyLoad());
        load.put("warmup_s", settings.warmup().toMillis() / 1000.0);
        load.put("measured_s", settings.latencyDuration().toMillis() / 1000.0);
        for (Variant v : settings.variants()) {
            latencyPhase(v, byVariant.get(v), rate);
        }
        ObjectNode variants = root.putObject("variants");
        for (Variant v : settings.variants()) {
            variants.set(v.key(), byVariant.get(v));
        }
        root.set("ratios", results.ratios(byVariant));
        root.set("model_swap", swap == null ? json.createObjectNode().put("skipped", true) : swap);
        return finish(root);
    }

    private ObjectNode finish(ObjectNode root) {
        root.put("duration_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        root.put("ok", results.problems().isEmpty());
        root.putPOJO("problems", results.problems());
        return root;
    }

    /**
     * For each task-manager count: a standalone cluster of that many task manager JVMs with the
     * run's slots split over them (the same total heap), every variant warmed up and then measured
     * on it; the cluster's processes' CPU counts with this JVM's. Ratios: each count's events/s
     * over the first count's, per variant.
     */
    private ObjectNode scaleOut() throws Exception {
        ObjectNode out = json.createObjectNode();
        out.putPOJO("task_managers", taskManagers);
        out.put("slots_total", settings.parallelism());
        out.put("task_manager_memory_mb_total", CLUSTER_MEMORY_MB);
        if (settings.warmupEvents() > 0) {
            out.set("warmup_produce", produceWarmupBacklog());
        }
        ObjectNode clusters = out.putObject("clusters");
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("riffle-bench-cluster-");
        List<java.nio.file.Path> classPath = new java.util.ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                classPath.add(java.nio.file.Path.of(entry).toAbsolutePath());
            }
        }
        for (int n : taskManagers) {
            int slots = settings.parallelism() / n;
            say(String.format("starting a Flink cluster of %d task manager JVM%s with %d slot%s each (logs in %s)", n,
                    n == 1 ? "" : "s", slots, slots == 1 ? "" : "s", root.resolve(n + "tm").resolve("log")));
            ObjectNode c = clusters.putObject(String.valueOf(n));
            c.put("slots_per_task_manager", slots);
            try (StandaloneCluster cluster = StandaloneCluster.start(root.resolve(n + "tm"), classPath, n, slots,
                    List.of("jobmanager.memory.process.size: 1024m",
                            "taskmanager.memory.process.size: " + CLUSTER_MEMORY_MB / n + "m",
                            "taskmanager.memory.managed.size: 64m",
                            "parallelism.default: " + settings.parallelism()),
                    List.of(), Duration.ofMinutes(3))) {
                jobs.onCluster(cluster, n + "tm");
                cpu.addSource(cluster::cpuNanos);
                try {
                    ObjectNode variants = c.putObject("variants");
                    for (Variant v : settings.variants()) {
                        if (settings.warmupEvents() > 0) {
                            throughputPhase(v, WARMUP_TOPIC, "bench.warm." + v.key() + "." + n + "tm", WARMUP_PREFIX,
                                    settings.warmupEvents(), "warm", json.createObjectNode(), null).close();
                        }
                        ObjectNode r = json.createObjectNode();
                        throughputPhase(v, EVENTS_TOPIC, "bench.out." + v.key() + "." + n + "tm", THROUGHPUT_PREFIX,
                                settings.events(), "tp", r, null).close();
                        variants.set(v.key(), r);
                    }
                } finally {
                    cpu.addSource(null);
                    jobs.onCluster(null, null);
                }
            }
        }
        ObjectNode ratios = out.putObject("ratios");
        String first = String.valueOf(taskManagers.get(0));
        for (int n : taskManagers.subList(1, taskManagers.size())) {
            for (Variant v : settings.variants()) {
                JsonNode a = clusters.path(String.valueOf(n)).path("variants").path(v.key());
                JsonNode b = clusters.path(first).path("variants").path(v.key());
                String key = v.key().replace('-', '_') + "_" + n + "tm_vs_" + first + "tm";
                ratios.put(key, BenchResults.ratio(a, b, "events_per_s"));
                ratios.put("cpu_" + key, BenchResults.ratio(a, b, "cpu_s_per_million"));
            }
        }
        return out;
    }

    /** The warm-up round's own topic and backlog, apart from the measured one. */
    private ObjectNode produceWarmupBacklog() {
        kafka.createTopic(WARMUP_TOPIC, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
        return produceBacklog(WARMUP_TOPIC, WARMUP_PREFIX, settings.warmupEvents());
    }

    private ObjectNode produceBacklog(String topic, char prefix, long events) {
        say(String.format("producing %,d events to %s ...", events, topic));
        long t0 = System.nanoTime();
        int bytes;
        try (KafkaProducer<byte[], byte[]> producer = BenchEvents.producer(kafka.bootstrapServers())) {
            bytes = BenchEvents.produce(producer, AvroSerde.of(Transaction.class), topic, prefix, 0, events,
                    settings.entities());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        say(String.format("produced %,d events (%d bytes each in Avro) in %.1f s: %,.0f events/s", events, bytes,
                seconds, events / seconds));
        ObjectNode n = json.createObjectNode();
        n.put("events", events);
        n.put("value_bytes", bytes);
        n.put("events_per_s", Math.round(events / seconds));
        return n;
    }

    /**
     * Variant {@code v}'s job over the warm-up backlog, unmeasured, right before its throughput
     * phase (after a first round of every variant's, see {@link #run}). A fresh JVM's first jobs run
     * while the JIT is still compiling the Kafka client, the broker, Flink's network stack and the
     * variants' own code on the same two cores (a cold passthrough measured a third of a warm one),
     * and code the variants share (Flink's outputs and serializers, Kafka's client) is compiled for
     * the types of the job that ran last, so a variant measured right after another one's job would
     * pay for its recompiling. One job is not always enough: on a 2-core machine the compiler
     * threads were still busy for 0.4-0.5 cores through the first measured phases after one round
     * of every variant. So this repeats, up to {@code warmupRounds} times, until a round in which the
     * compilers used less than {@value #JIT_QUIET_CORES} cores on average (where their CPU time is
     * known: Linux; elsewhere every round runs). Audited like a measured phase; reported under
     * "warmup" (the last round's figures, and each round's JIT cores) and used for nothing.
     */
    private ObjectNode warmUp(Variant v) throws Exception {
        ObjectNode last = null;
        ArrayNode jit = json.createArrayNode();
        int rounds = 0;
        for (int round = 1; round <= settings.warmupRounds(); round++) {
            rounds = round;
            last = warmUpJob(v, round);
            JsonNode jitCores = last.path("jit_cores");
            if (!jitCores.isNumber()) {
                // not measured (not Linux, or a phase too short to time): another round, up to the last
                jit.addNull();
                continue;
            }
            jit.add(jitCores.asDouble());
            boolean quiet = jitCores.asDouble() < JIT_QUIET_CORES;
            if (quiet || round == settings.warmupRounds()) {
                say(String.format("[%s] warm-up round %d: the JIT compiled on %.2f cores%s", v.key(), round,
                        jitCores.asDouble(), quiet ? ": warm" : "; still compiling, but that was the last round"
                                + " (--warmup-rounds)"));
                break;
            }
            say(String.format("[%s] warm-up round %d: the JIT compiled on %.2f cores; another round", v.key(), round,
                    jitCores.asDouble()));
        }
        last.put("rounds_run", rounds);
        last.set("rounds_jit_cores", jit);
        return last;
    }

    /** One warm-up job of {@code v}: {@code round} 0 is the first round, before every variant's own rounds. */
    private ObjectNode warmUpJob(Variant v, int round) throws Exception {
        ObjectNode r = json.createObjectNode();
        // each job its own output topic and consumer group (the phase names it), or it would
        // resume from the offsets an earlier round's job committed
        String suffix = round == 0 ? "" : String.valueOf(round);
        throughputPhase(v, WARMUP_TOPIC, "bench.warm." + v.key() + suffix, WARMUP_PREFIX, settings.warmupEvents(),
                "warm" + suffix, r, null).close();
        return r;
    }

    private OutputAudit throughputPhase(Variant v, String in, String out, char prefix, long events, String phase,
                                        ObjectNode r, ModelSwapper swapper) throws Exception {
        kafka.createTopic(out, settings.parallelism(), Map.of("message.timestamp.type", "LogAppendTime"));
        OutputAudit audit = new OutputAudit(kafka.bootstrapServers(), out, v, prefix, events, 0, v.isRiffle());
        String what = "tp".equals(phase) ? "throughput" : "warm-up";
        say(String.format("[%s] %s: %,d events, %s, parallelism %d%s", v.key(), what, events,
                settings.delivery(), settings.parallelism(),
                swapper != null ? ", a new fraud model version every " + settings.swapEvery().toMillis() + " ms" : ""));
        long t0 = System.currentTimeMillis();
        JobClient job = jobs.start(v, in, out, phase);
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
                failure = jobs.terminalFailure(job);
                if (failure != null || System.nanoTime() > deadline) {
                    break;
                }
                long ends = audit.committedEndOffsets();
                if (ends >= events) {
                    audit.readAvailable();
                }
                if (System.nanoTime() - lastSay > 2_000_000_000L) {
                    long now = System.nanoTime();
                    say(String.format("[%s] %,d / %,d committed, %,.0f/s", v.key(), Math.min(ends, events),
                            events, (ends - lastEnds) / ((now - lastT) / 1e9)));
                    lastSay = now;
                    lastEnds = ends;
                    lastT = now;
                }
            }
            if ("tp".equals(phase) && failure == null) {
                r.put("task_managers_used", jobs.taskManagersOf(job));
                r.set("checkpoints", jobs.checkpointStats(job));
                JsonNode cp = r.path("checkpoints");
                say(String.format("[%s] %d checkpoints, the last %,d bytes of state (%,.0f per entity) in %d ms (max %d)",
                        v.key(), cp.path("completed").asLong(), cp.path("last_state_bytes").asLong(),
                        cp.path("last_state_bytes").asDouble() / settings.entities(),
                        cp.path("last_duration_ms").asLong(), cp.path("duration_ms_max").asLong()));
            }
        } finally {
            if (swapper != null) {
                swapper.close();
            }
            jobs.stop(job);
        }
        audit.readAvailable();
        long cpuNanos = audit.distinct() > 1 ? cpu.cpuNanosBetween(audit.firstAppend(), audit.lastAppend()) : 0;
        double seconds = (audit.lastAppend() - audit.firstAppend()) / 1000.0;
        double rate = audit.distinct() > 1 && seconds > 0 ? (audit.distinct() - 1) / seconds : 0;
        r.put("events_per_s", Math.round(rate));
        r.put("cpu_s_per_million", audit.distinct() > 0 ? round(cpuNanos / 1e9 / audit.distinct() * 1e6, 2) : null);
        r.put("cores_busy", seconds > 0 ? round(cpuNanos / 1e9 / seconds, 2) : null);
        // part of the CPU above: the JIT still compiling (a JVM not yet warm) and the collector
        boolean jvmKnown = cpu.knowsJvmThreads() && audit.distinct() > 1 && seconds > 0;
        double jitCores = jvmKnown ? cpu.jitNanosBetween(audit.firstAppend(), audit.lastAppend()) / 1e9 / seconds : 0;
        double gcCores = jvmKnown ? cpu.gcNanosBetween(audit.firstAppend(), audit.lastAppend()) / 1e9 / seconds : 0;
        r.put("jit_cores", jvmKnown ? round(jitCores, 2) : null);
        r.put("gc_cores", jvmKnown ? round(gcCores, 2) : null);
        // Flink's snapshot threads' time runnable but without a core: a checkpoint's duration that is queueing, not work
        boolean waitKnown = cpu.knowsSnapshotWait() && audit.distinct() > 1 && seconds > 0;
        double snapshotWait = waitKnown
                ? cpu.snapshotWaitNanosBetween(audit.firstAppend(), audit.lastAppend()) / 1e9 / seconds : 0;
        r.put("snapshot_wait_cores", waitKnown ? round(snapshotWait, 2) : null);
        threadCores(r, audit, seconds, cpuNanos, jvmKnown ? jitCores + gcCores : Double.NaN);
        JsonNode where = r.path("thread_cores");
        r.put("first_to_last_output_s", round(seconds, 2));
        r.put("wall_s", round((System.currentTimeMillis() - t0) / 1000.0, 1));
        r.set("throughput_phase", results.exactness(v, what, audit, events, failure));
        say(String.format("[%s] %,.0f events/s sustained, %.2f CPU s per million events%s%s, %s%s", v.key(), rate,
                cpuNanos / 1e9 / Math.max(1, audit.distinct()) * 1e6,
                !jvmKnown ? "" : String.format(" (of the %.2f cores busy: %s)", cpuNanos / 1e9 / seconds,
                        where.isObject() ? BenchReport.cores(where)
                                : String.format("JIT %.2f, GC %.2f", jitCores, gcCores)),
                snapshotWait >= 0.005 ? String.format("; snapshot threads waiting for a core: %.2f", snapshotWait) : "",
                BenchResults.exactSummary(audit, events),
                audit.checkedScores() > 0 ? String.format("; %,d flagged (alerts)", audit.flaggedScores()) : ""));
        return audit;
    }

    /**
     * Puts {@code thread_cores} into {@code r}: the cores each {@link CpuSampler.Group} of Java threads
     * used between the phase's first and last output, with {@code jit} and {@code gc} and the rest as
     * {@code other} (Flink's RPC and the JVM's other threads) when {@code jvmCores} (JIT + GC) is known.
     * A window shorter than {@link #MIN_SPLIT_SECONDS} is not split (null): the Java threads are
     * sampled only every {@code JavaThreads.EVERY_SAMPLES} periods of the sampler.
     */
    private void threadCores(ObjectNode r, OutputAudit audit, double seconds, long cpuNanos, double jvmCores) {
        if (!cpu.knowsThreadGroups() || audit.distinct() <= 1 || seconds < MIN_SPLIT_SECONDS) {
            r.putNull("thread_cores");
            return;
        }
        ObjectNode t = r.putObject("thread_cores");
        double grouped = 0;
        for (CpuSampler.Group g : CpuSampler.Group.values()) {
            double cores = cpu.groupNanosBetween(g, audit.firstAppend(), audit.lastAppend()) / 1e9 / seconds;
            grouped += cores;
            t.put(g.key, round(cores, 2));
        }
        if (!Double.isNaN(jvmCores)) {
            t.put("jit", r.path("jit_cores").asDouble());
            t.put("gc", r.path("gc_cores").asDouble());
            // sampled apart from the process's total, so the rest is clamped at 0
            t.put("other", round(Math.max(0, cpuNanos / 1e9 / seconds - grouped - jvmCores), 2));
        }
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
        JobClient job = jobs.start(v, in, out, "lat");
        PacedProducer producer = new PacedProducer(kafka.bootstrapServers(), in, rate, settings.warmup(),
                settings.latencyDuration(), settings.entities());
        producer.start();
        long deadline = System.nanoTime() + settings.variantTimeout().toNanos();
        String failure = null;
        ObjectNode checkpoints = null;
        try {
            while (true) {
                audit.poll(Duration.ofMillis(100));
                if (audit.distinct() > 0) {
                    producer.jobUp();
                }
                if (producer.done() && audit.distinct() >= producer.sent()) {
                    break;
                }
                failure = jobs.terminalFailure(job);
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
            if (failure == null) {
                // what the visible latency waits for beyond the interval: each checkpoint's end to end
                checkpoints = jobs.checkpointStats(job);
            }
            jobs.stop(job);
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
        ObjectNode phase = results.exactness(v, "latency", audit, producer.sent(), failure);
        phase.put("offered_events_per_s", Math.round(rate));
        phase.put("measured_events", producer.sent() - producer.measuredFrom());
        if (checkpoints != null) {
            phase.set("checkpoints", checkpoints);
        }
        r.set("latency_phase", phase);
        say(String.format("[%s] latency ingestion -> output p50 %d ms, p95 %d, p99 %d, max %d (read_committed visible"
                        + " p50 %d, p99 %d); %s", v.key(), h.getValueAtPercentile(50), h.getValueAtPercentile(95),
                h.getValueAtPercentile(99), h.getMaxValue(), vis.getValueAtPercentile(50),
                vis.getValueAtPercentile(99), BenchResults.exactSummary(audit, producer.sent())));
        if (checkpoints != null && checkpoints.path("completed").asLong() > 0) {
            StringBuilder tasks = new StringBuilder();
            checkpoints.path("last_by_task").fields().forEachRemaining(t -> tasks.append(String.format(
                    "; %s: barrier after %d ms, aligned in %d, sync %d, async %d, acknowledged after %d", t.getKey(),
                    t.getValue().path("start_delay_ms").asLong(), t.getValue().path("alignment_ms").asLong(),
                    t.getValue().path("sync_ms").asLong(), t.getValue().path("async_ms").asLong(),
                    t.getValue().path("end_to_end_ms").asLong())));
            say(String.format("[%s] latency phase: %d checkpoints, end to end p50 %.0f ms, max %d (a record is visible"
                            + " once the checkpoint after it completes and its transaction commits)%s", v.key(),
                    checkpoints.path("completed").asLong(), checkpoints.path("duration_ms_p50").asDouble(),
                    checkpoints.path("duration_ms_max").asLong(), tasks));
        }
        audit.close();
    }

    private double latencyRate(Map<Variant, ObjectNode> byVariant) {
        if (settings.latencyRate() > 0) {
            return settings.latencyRate();
        }
        ObjectNode pass = byVariant.get(Variant.PASSTHROUGH);
        long max = pass == null ? byVariant.values().iterator().next().get("events_per_s").asLong()
                : pass.get("events_per_s").asLong();
        return Math.max(100, settings.latencyLoad() * max);
    }

    private void say(String line) {
        double t = (System.nanoTime() - started) / 1e9;
        progress.accept(String.format("[%3d:%02d] %s", (int) t / 60, (int) t % 60, line));
    }
}

package io.riffle.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.riffle.cli.KafkaTopics;
import io.riffle.cli.LocalFlink;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.LabelJoinOptions;
import io.riffle.jobs.PipelineConfigs;
import io.riffle.jobs.PipelineScoringJob;
import io.riffle.jobs.ScoringOptions;
import io.riffle.modelops.registry.ModelPublisher;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.schemas.ModelVersion;
import org.HdrHistogram.Histogram;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code riffle demo}: the whole pipeline of {@value DemoPipeline#DEFAULT_FILE} in one JVM — an
 * embedded Kafka broker (unless {@code --bootstrap-servers} is given), a Flink MiniCluster with its
 * web UI, the file's scoring job ({@link PipelineScoringJob}) and the label join, bootstrap models
 * fitted to the file's features of the synthetic traffic, two trainers, the traffic itself, and a
 * live status line. The file gives the features, topics, lateness and scoring defaults; the demo
 * overrides where it runs (its broker, fresh consumer groups and transactional ids, 1 s
 * checkpoints, a label delay to match its traffic) and what its command line sets.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline file pipelines/demo.yaml (or --config FILE) on embedded Kafka and Flink with"
                + " synthetic payments.",
                "Prints live status; at the end checks that every event became a score or a dead letter."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = {"A demo-shaped pipeline file: its events are the demo's"
            + " Transaction records in Avro (pipelines/transaction.avsc), its labels Avro Labels; features, topics and"
            + " scoring settings may differ. Default: " + DemoPipeline.DEFAULT_FILE + " of this Riffle."})
    Path config;

    @Option(names = "--duration", defaultValue = "2m", description = "How long to run (e.g. 90s, 2m). Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--events-per-second", defaultValue = "500", description = "Synthetic events per second. Default: ${DEFAULT-VALUE}.")
    double eventsPerSecond;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Write the run's totals as JSON to FILE.")
    File summaryJson;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka instead of starting an embedded broker.")
    String bootstrapServers;

    @Option(names = "--parallelism", description = "Flink parallelism. Default: the file's scoring.parallelism"
            + " (2 in pipelines/demo.yaml); this option wins over the file.")
    Integer parallelism;

    @Option(names = "--web-ui-port", defaultValue = "8081", description = "Flink web UI port (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--batch-size", description = "Records per ONNX Runtime call. Default: the file's"
            + " scoring.batch-size (256 in pipelines/demo.yaml); this option wins over the file.")
    Integer batchSize;

    @Option(names = "--delivery", description = "exactly-once or at-least-once. Default: the file's scoring.delivery"
            + " (exactly-once in pipelines/demo.yaml); this option wins over the file.")
    String delivery;

    @Option(names = "--device", description = "cpu, cuda[:N] or auto. Default: the file's scoring.device"
            + " (cpu in pipelines/demo.yaml); this option wins over the file.")
    String device;

    @Option(names = "--bad-record-rate", defaultValue = "0.002", description = "Share of deliberately corrupt events (dead letters). Default: ${DEFAULT-VALUE}.")
    double badRecordRate;

    @Option(names = "--label-delay", defaultValue = "10s", description = "Mean delay before an event's label arrives. Default: ${DEFAULT-VALUE}.")
    Duration labelDelay;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--retrain-every", defaultValue = "30s", description = "How often the trainers retrain. Default: ${DEFAULT-VALUE}.")
    Duration retrainEvery;

    @Option(names = "--train-window", defaultValue = "3m", description = "The trainers' sliding window. Default: ${DEFAULT-VALUE}.")
    Duration trainWindow;

    @Option(names = "--status-interval", defaultValue = "5s", description = "How often to print a status line. Default: ${DEFAULT-VALUE}.")
    Duration statusInterval;

    private static final int CARDS = 20_000;
    private static final int FIT_EXAMPLES = 60_000;
    private final PrintStream out = System.out;
    private PipelineSpec pipeline;
    private ModelVersion bootstrapClassifier;
    private volatile Double championAucBeforeDrift;
    private volatile Long driftAtSeconds;

    @Override
    public Integer call() throws Exception {
        if (duration.isNegative() || duration.isZero() || eventsPerSecond <= 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--duration and --events-per-second must be positive");
        }
        Path file = config != null ? config : DemoPipeline.defaultFile();
        try {
            pipeline = DemoPipeline.load(file);
        } catch (PipelineSpecException e) {
            System.err.println(e.report("Not started", file));
            return 1;
        }
        parallelism = parallelism != null ? parallelism : pipeline.scoring().parallelism();
        batchSize = batchSize != null ? batchSize : pipeline.scoring().batchSize();
        device = device != null ? device : pipeline.scoring().device().toString();
        delivery = delivery != null ? delivery : PipelineConfigs.configuration(pipeline).get(ScoringOptions.DELIVERY);
        CountDownLatch finished = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            out.println("\nStopping (Ctrl-C) ...");
            main.interrupt();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // the JVM is going down anyway
            }
        }, "riffle-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // fine: the hook is what is running
            }
        }
    }

    private int run() throws Exception {
        long demoStart = System.currentTimeMillis();
        EmbeddedKafka kafka = null;
        JobClient job = null;
        DemoTraffic traffic = null;
        PipelineMonitor monitor = null;
        DemoTrainers trainers = null;
        try {
            String servers = bootstrapServers;
            if (servers == null) {
                out.print("Starting embedded Kafka (KRaft) ... ");
                out.flush();
                kafka = EmbeddedKafka.start();
                servers = kafka.bootstrapServers();
                out.println(servers);
            } else {
                out.println("Using Kafka at " + servers);
            }
            KafkaSpec.TopicNames topics = pipeline.kafka().topics();
            KafkaTopics.ensureFor(servers, pipeline.kafka().properties(), parallelism, topics);

            out.printf(Locale.ROOT, "Pipeline %s (%s): %d features, spec hash %.12s%n", pipeline.name(),
                    pipeline.file(), pipeline.features().count(), pipeline.features().hash());
            out.print("Fitting bootstrap models on those features of " + FIT_EXAMPLES + " synthetic payments ... ");
            out.flush();
            List<ModelVersion> bootstrap = BootstrapModels.fit(pipeline, seed, FIT_EXAMPLES);
            bootstrapClassifier = bootstrap.get(0);
            // Signed like the trainers' versions when the file names their key: a scorer with
            // trusted keys would reject the bootstrap versions otherwise.
            try (ModelPublisher publisher = ModelPublisher.open(servers, topics.models(), pipeline.kafka().properties(),
                    ModelPublisher.signer(pipeline.trainer().signingKey()))) {
                StringBuilder published = new StringBuilder();
                for (ModelVersion mv : bootstrap) {
                    ModelVersion numbered = publisher.publishNext(mv);
                    published.append(published.length() == 0 ? "" : ", ").append(describe(numbered));
                }
                out.println("published " + published);
            }

            traffic = new DemoTraffic(servers, topics.events(), topics.labels(), seed, CARDS, eventsPerSecond,
                    badRecordRate, labelDelay);
            monitor = new PipelineMonitor(servers, pipeline.kafka().properties(), topics, demoStart, traffic::isFraud);
            monitor.start();

            StreamExecutionEnvironment env = LocalFlink.environment(parallelism, webUiPort);
            Configuration conf = jobConfig(servers, demoStart);
            new PipelineScoringJob(pipeline, conf).build(env);
            new LabelJoinJob(conf).build(env);
            job = env.executeAsync("riffle-demo");
            out.println("Flink MiniCluster: scoring + label-join job " + job.getJobID()
                    + (webUiPort > 0 ? " — web UI http://127.0.0.1:" + webUiPort : ""));
            awaitModels(monitor, job);
            trainers = new DemoTrainers(pipeline, servers, retrainEvery, trainWindow, out);
            trainers.start();
            traffic.start();
            out.printf(Locale.ROOT, "Producing %.0f events/s for %s (Ctrl-C stops early) ...%n", eventsPerSecond,
                    human(duration));

            boolean interrupted = runFor(traffic, monitor, trainers, demoStart, job);
            traffic.stop();
            trainers.close();          // lets a round in progress finish; no new rounds on drained traffic
            boolean reconciled = drain(traffic, monitor, interrupted ? Duration.ofSeconds(20) : Duration.ofSeconds(90));
            ModelVersion champion = trainers.champion(BootstrapModels.CLASSIFIER);
            Map<String, Object> summary = summary(traffic, monitor, demoStart, reconciled);
            summary.put("model_versions_published", trainers.published());
            summary.put("trainer_rounds", trainers.rounds());
            summary.put("champion_version_at_end", champion == null ? null : champion.getVersion());
            summary.put("champion_auc_before_drift", championAucBeforeDrift);
            summary.put("champion_auc_after_drift", champion == null ? null : trainers.holdoutAuc(champion));
            summary.put("bootstrap_auc_after_drift", trainers.holdoutAuc(bootstrapClassifier));
            summary.put("prequential_auc", finite(monitor.prequentialAuc()));
            summary.put("prequential_pairs", monitor.prequentialPairs());
            summary.put("drift_at_seconds", driftAtSeconds);
            printSummary(summary, monitor);
            if (summaryJson != null) {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryJson, summary);
                out.println("Summary written to " + summaryJson);
            }
            return reconciled ? 0 : 1;
        } finally {
            Thread.interrupted();
            if (traffic != null) {
                traffic.close();
            }
            if (trainers != null) {
                trainers.release();
            }
            if (job != null) {
                try {
                    job.cancel().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // the job may have failed or finished already; the cluster goes down with it
                }
            }
            if (monitor != null) {
                monitor.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    /** The file's job options ({@link PipelineConfigs}) with the demo's overrides. */
    private Configuration jobConfig(String servers, long demoStart) {
        Configuration conf = PipelineConfigs.configuration(pipeline);
        conf.set(ScoringOptions.BOOTSTRAP_SERVERS, servers);
        // The demo's own clients (traffic, monitor, trainers) and the embedded broker are plaintext.
        conf.set(ScoringOptions.KAFKA_PROPERTIES, Map.of());
        conf.set(ScoringOptions.PARALLELISM, parallelism);
        conf.set(ScoringOptions.BATCH_SIZE, batchSize);
        conf.set(ScoringOptions.DELIVERY, delivery);
        conf.set(ScoringOptions.DEVICE, device);
        conf.set(ScoringOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        conf.set(ScoringOptions.REQUIRED_MODELS, BootstrapModels.CLASSIFIER + "," + BootstrapModels.ANOMALY);
        conf.set(ScoringOptions.START_TIMESTAMP, demoStart);
        conf.set(ScoringOptions.GROUP_ID, "riffle-demo-" + UUID.randomUUID());
        conf.set(ScoringOptions.TRANSACTIONAL_ID_PREFIX, "riffle-demo-" + UUID.randomUUID().toString().substring(0, 8));
        conf.set(LabelJoinOptions.PARALLELISM, parallelism);
        conf.set(LabelJoinOptions.START_TIMESTAMP, demoStart);
        conf.set(LabelJoinOptions.GROUP_ID, "riffle-demo-join-" + UUID.randomUUID());
        conf.set(LabelJoinOptions.TRANSACTIONAL_ID_PREFIX, "riffle-demo-join-" + UUID.randomUUID().toString().substring(0, 8));
        // Labels come within 1.5x the mean delay: keep unlabeled vectors a little longer, not an hour.
        conf.set(LabelJoinOptions.MAX_DELAY, labelDelay.multipliedBy(3).plusSeconds(30));
        return conf;
    }

    /** Waits until the job reports both bootstrap models loaded, so latency figures start from a running job. */
    private void awaitModels(PipelineMonitor monitor, JobClient job) throws InterruptedException {
        out.print("Waiting for the scoring job to load the models ... ");
        out.flush();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, Integer> serving = monitor.serving();
            if (serving.containsKey(BootstrapModels.CLASSIFIER) && serving.containsKey(BootstrapModels.ANOMALY)) {
                out.println("serving " + serving(monitor) + " on " + devices(monitor));
                return;
            }
            String status = jobStatus(job);
            if (!status.isEmpty() && !status.equals("CREATED") && !status.equals("INITIALIZING")) {
                out.println("the job is " + status);
                return;
            }
            Thread.sleep(100);
        }
        out.println("not yet after 2 minutes; producing anyway (events wait for the models)");
    }

    /** Runs until the duration is over or Ctrl-C; prints status lines; introduces a new kind of fraud halfway. */
    private boolean runFor(DemoTraffic traffic, PipelineMonitor monitor, DemoTrainers trainers, long demoStart,
                           JobClient job) {
        long start = System.currentTimeMillis();
        long end = start + duration.toMillis();
        long driftAt = start + duration.toMillis() / 2;
        boolean drifted = false;
        long lastIn = 0;
        long lastAt = start;
        while (System.currentTimeMillis() < end) {
            try {
                long sleep = Math.min(statusInterval.toMillis(), end - System.currentTimeMillis());
                Thread.sleep(Math.max(1, sleep));
            } catch (InterruptedException e) {
                return true;
            }
            long now = System.currentTimeMillis();
            if (!drifted && now >= driftAt) {
                drifted = true;
                ModelVersion champion = trainers.champion(BootstrapModels.CLASSIFIER);
                championAucBeforeDrift = champion == null ? null : trainers.holdoutAuc(champion);
                if (championAucBeforeDrift == null && champion != null) {
                    championAucBeforeDrift = trainers.auc(champion.getName(), champion.getVersion(), bootstrapClassifier);
                }
                traffic.introduceNewFraud();
                driftAtSeconds = (now - demoStart) / 1000;
                out.printf(Locale.ROOT, "Drift: a new kind of fraud (account takeover) appears from now on; champion %s"
                                + " holdout AUC before it: %s%n", champion == null ? "-" : "v" + champion.getVersion(),
                        championAucBeforeDrift == null ? "-" : String.format(Locale.ROOT, "%.3f", championAucBeforeDrift));
            }
            long in = traffic.eventsIn();
            double rate = (in - lastIn) * 1000.0 / Math.max(1, now - lastAt);
            lastIn = in;
            lastAt = now;
            Histogram h = monitor.intervalLatency();
            String status = jobStatus(job);
            if (!status.isEmpty()) {
                out.println("Scoring job is " + status + " (see the Flink web UI for why)");
            }
            out.printf(Locale.ROOT, "[%s] in %,.0f/s (%,d) | scores %,d | dead letters %,d | alerts %,d | "
                            + "latency p50 %s p99 %s | models %s | device %s%n",
                    clock(now - demoStart), rate, in, monitor.scoresOut.get(), monitor.deadLettersOut.get(),
                    monitor.alerts.get(), ms(h, 50), ms(h, 99), serving(monitor, trainers), devices(monitor));
        }
        return false;
    }

    /** Waits until every event has come out as a score or a dead letter. */
    private boolean drain(DemoTraffic traffic, PipelineMonitor monitor, Duration limit) {
        long in = traffic.eventsIn();
        out.printf(Locale.ROOT, "Stopped producing at %,d events; waiting for the pipeline to finish them ...%n", in);
        long deadline = System.currentTimeMillis() + limit.toMillis();
        while (System.currentTimeMillis() < deadline) {
            long outCount = monitor.scoresOut.get() + monitor.deadLettersOut.get();
            if (outCount >= in) {
                return outCount == in;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                break;
            }
        }
        return false;
    }

    private Map<String, Object> summary(DemoTraffic traffic, PipelineMonitor monitor, long demoStart, boolean reconciled) {
        Histogram total = monitor.totalLatency();
        Histogram visible = monitor.totalVisibleLatency();
        double seconds = (System.currentTimeMillis() - demoStart) / 1000.0;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pipeline", pipeline.file().toString());
        s.put("features", pipeline.features().count());
        s.put("feature_spec_hash", pipeline.features().hash());
        s.put("events_in", traffic.eventsIn());
        s.put("scores_out", monitor.scoresOut.get());
        s.put("dead_letters", monitor.deadLettersOut.get());
        s.put("reconciled", reconciled);
        s.put("corrupt_events_sent", traffic.corruptIn());
        s.put("labels_sent", traffic.labelsIn());
        s.put("alerts", monitor.alerts.get());
        s.put("fraud_events_scored", monitor.fraudScored.get());
        s.put("fraud_events_alerted", monitor.fraudAlerted.get());
        s.put("model_versions_loaded", monitor.versionsLoaded().size());
        s.put("model_versions", List.copyOf(monitor.versionsLoaded()));
        s.put("models_rejected", monitor.rejected.get());
        s.put("device", String.join(",", monitor.devices()));
        s.put("latency_ms_p50", total.getValueAtPercentile(50));
        s.put("latency_ms_p99", total.getValueAtPercentile(99));
        s.put("latency_ms_max", total.getMaxValue());
        s.put("visible_latency_ms_p50", visible.getValueAtPercentile(50));
        s.put("visible_latency_ms_p99", visible.getValueAtPercentile(99));
        s.put("events_per_second", Math.round(traffic.eventsIn() / Math.max(1e-9, duration.toMillis() / 1000.0)));
        s.put("run_seconds", Math.round(seconds));
        s.put("parallelism", parallelism);
        s.put("batch_size", batchSize);
        s.put("delivery", delivery);
        s.put("device_requested", device);
        return s;
    }

    private void printSummary(Map<String, Object> s, PipelineMonitor monitor) {
        out.println();
        out.printf(Locale.ROOT, "events in %,d = scores %,d + dead letters %,d : %s%n", s.get("events_in"),
                s.get("scores_out"), s.get("dead_letters"),
                Boolean.TRUE.equals(s.get("reconciled")) ? "every event accounted for" : "NOT RECONCILED");
        out.printf(Locale.ROOT, "latency from ingestion to score: p50 %s ms, p99 %s ms, max %s ms "
                        + "(readable by read_committed consumers: p50 %s ms, p99 %s ms)%n",
                s.get("latency_ms_p50"), s.get("latency_ms_p99"), s.get("latency_ms_max"),
                s.get("visible_latency_ms_p50"), s.get("visible_latency_ms_p99"));
        out.printf(Locale.ROOT, "fraud: %,d of %,d fraudulent events alerted; %,d alerts in all%n",
                s.get("fraud_events_alerted"), s.get("fraud_events_scored"), s.get("alerts"));
        out.println("model versions loaded: " + s.get("model_versions") + " on " + s.get("device"));
        out.printf(Locale.ROOT, "trainers: %s versions published in %s rounds; fraud champion AUC before the drift %s, "
                        + "after it %s (bootstrap model on the drifted data: %s); prequential AUC of live scores %s%n",
                s.get("model_versions_published"), s.get("trainer_rounds"), fmt(s.get("champion_auc_before_drift")),
                fmt(s.get("champion_auc_after_drift")), fmt(s.get("bootstrap_auc_after_drift")), fmt(s.get("prequential_auc")));
        for (String sample : monitor.deadLetterSamples()) {
            out.println("dead letter e.g.: " + sample);
        }
    }

    /** The job's status when it is not simply running, else empty. */
    private static String jobStatus(JobClient job) {
        try {
            org.apache.flink.api.common.JobStatus status = job.getJobStatus().get(5, TimeUnit.SECONDS);
            return status == org.apache.flink.api.common.JobStatus.RUNNING ? "" : status.name();
        } catch (Exception e) {
            return "unreachable (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static String fmt(Object auc) {
        return auc instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : "-";
    }

    private static String describe(ModelVersion mv) {
        Double auc = mv.getMetrics().get("train_auc");
        return mv.getName() + " v" + mv.getVersion() + (auc == null ? "" : String.format(Locale.ROOT, " (AUC %.3f)", auc));
    }

    private String serving(PipelineMonitor monitor) {
        return serving(monitor, null);
    }

    /** Serving versions, with the holdout AUC each had when it was published where known. */
    private String serving(PipelineMonitor monitor, DemoTrainers trainers) {
        Map<String, Integer> serving = monitor.serving();
        return serving.isEmpty() ? "loading" : serving.entrySet().stream().map(e -> {
            Double auc = trainers == null ? null : trainers.auc(e.getKey(), e.getValue(), bootstrapClassifier);
            return e.getKey() + " v" + e.getValue() + (auc == null ? "" : String.format(Locale.ROOT, " (AUC %.3f)", auc));
        }).collect(Collectors.joining(", "));
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static String devices(PipelineMonitor monitor) {
        return monitor.devices().isEmpty() ? "-" : String.join(",", monitor.devices());
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "-" : h.getValueAtPercentile(percentile) + " ms";
    }

    private static String clock(long ms) {
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 60 == 0 ? (s / 60) + "m" : s + "s";
    }
}

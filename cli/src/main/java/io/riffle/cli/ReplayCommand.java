package io.riffle.cli;

import io.riffle.cli.replay.EventOutcomes;
import io.riffle.cli.replay.History;
import io.riffle.cli.replay.HistoryException;
import io.riffle.cli.replay.MetricSet;
import io.riffle.cli.replay.Prequential;
import io.riffle.cli.replay.ReplayOutcomes;
import io.riffle.cli.replay.ReplayPlot;
import io.riffle.cli.replay.ReplayProducer;
import io.riffle.cli.replay.ReplayReport;
import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.LabelsSpec;
import io.riffle.modelops.spec.ModelSpec;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.service.TrainingReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code riffle replay}: replays a history of events and labels through a pipeline, each label a
 * set delay after its event, and reports prequential (test-then-train) metrics over time.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays a history of events and labels through a pipeline and reports",
                "prequential (test-then-train) metrics of its model over time.",
                "",
                "Events go to the pipeline's events topic at --rate; each label goes to its",
                "labels topic --label-delay after its event. The pipeline runs here as",
                "'riffle run' runs it (embedded Kafka, Flink MiniCluster, trainers), or, with",
                "--bootstrap-servers, already runs elsewhere on that Kafka.",
                "Scores are matched to labels by event id: accuracy, ROC-AUC, log-loss and",
                "recall at 1%% false-positive rate for the whole run and per window of events;",
                "the model versions that served; and a check that every event came out as a",
                "score or a dead letter. Events that waited for the first model and were",
                "scored by a version trained on their own labels are counted, not evaluated.",
                "",
                "Example:",
                "  riffle generate sea --events 100000 --drift-at 50000 --out sea",
                "  riffle replay --config pipelines/sea.yaml --events sea/events.jsonl \\",
                "      --labels sea/labels.jsonl --drift-at 50000 --json sea.json --plot sea.png",
                ""})
public final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Mixin
    PipelineFileOption config;

    @Option(names = "--events", required = true, paramLabel = "FILE",
            description = "The events, one JSON object per line (.jsonl), or CSV with a header row (.csv), in the order"
                    + " to replay; each needs the pipeline's event id and entity key fields.")
    Path eventsFile;

    @Option(names = "--labels", required = true, paramLabel = "FILE",
            description = "The labels: JSON lines (or CSV) with the pipeline's labels.event-id and labels.label fields"
                    + " (0/1). Events without a label are replayed but not evaluated.")
    Path labelsFile;

    @Option(names = "--rate", defaultValue = "500", paramLabel = "EVENTS_PER_SECOND",
            description = "Events sent per second. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--label-delay", defaultValue = "2s", paramLabel = "DURATION",
            description = "How long after its event each label is sent (its label time is when it is sent). Default: ${DEFAULT-VALUE}.")
    Duration labelDelay;

    @Option(names = "--window", defaultValue = "5000", paramLabel = "N",
            description = "Events per window of the metrics over time (consecutive, in file order). Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(names = "--drift-at", paramLabel = "K",
            description = "Position (0-based) of a known drift in the events file: marked on the plot, and metrics"
                    + " before and after it are reported.")
    Long driftAt;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the report here as JSON.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write a PNG plot here: accuracy and ROC-AUC per window, the drift and each new version's first score.")
    Path plot;

    @Option(names = "--model", paramLabel = "NAME",
            description = "The pipeline's binary model to evaluate. Default: the file's first binary model.")
    String model;

    @Option(names = "--threshold", defaultValue = "0.5", paramLabel = "P",
            description = "Probability at and above which an event counts as predicted positive for accuracy"
                    + " (the rank metrics need none). Default: ${DEFAULT-VALUE}.")
    double threshold;

    @Option(names = "--bootstrap-servers", paramLabel = "SERVERS",
            description = "Replay into this Kafka, where the pipeline is already running (riffle run or submit with"
                    + " the same file). Default: start the pipeline here on an embedded broker.")
    String bootstrapServers;

    @Option(names = "--kafka-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the embedded broker (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--web-ui-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the embedded pipeline's Flink web UI (0 = any free port). Default: ${DEFAULT-VALUE}.")
    int webUiPort;

    @Option(names = "--drain-timeout", defaultValue = "2m", paramLabel = "DURATION",
            description = "After the last label, how long to wait for the events still without a score or a dead"
                    + " letter; those left are reported as unaccounted. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--status-every", defaultValue = "5s", paramLabel = "DURATION",
            description = "How often to print the progress line. Default: ${DEFAULT-VALUE}.")
    Duration statusEvery;

    @Option(names = "--max-restarts", defaultValue = "3", paramLabel = "N",
            description = "Stop (exit 1, naming the cause) once the embedded job has restarted N times. Default: ${DEFAULT-VALUE}.")
    int maxRestarts;

    private final List<String> trainerLines = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        checkOptions();
        PipelineSpec spec = config.load("Not started");
        if (spec == null) {
            return 1;
        }
        if (!PipelineLaunch.readsLabelsTopic(spec)) {
            // (the simpler choice: replay evaluates a binary model against a labels file)
            System.err.println("Not started: " + config.path() + " takes its labels from the next event"
                    + " (labels.from-next-event); riffle replay needs labels from a labels file (--labels).");
            return 1;
        }
        ModelSpec evaluated = evaluatedModel(spec);
        if (evaluated == null) {
            return 1;
        }
        if (spec.events().format() != DataFormat.JSON) {
            System.err.println("Not started: " + config.path() + " reads its events as " + spec.events().format().name()
                    .toLowerCase(Locale.ROOT) + "; riffle replay sends the history's events as JSON");
            System.err.println("Hint: set events.format: json in a copy of the pipeline file (the scorer reads JSON"
                    + " objects of the same schema).");
            return 1;
        }
        LabelsSpec labels = labels(spec);
        History history;
        try {
            history = History.read(eventsFile, labelsFile, spec.eventSchema(), spec.events().idField(),
                    spec.events().keyField(), labels.eventIdField(), labels.labelField());
        } catch (HistoryException e) {
            System.err.println("Not started: " + e.getMessage());
            System.err.println("Hint: events and labels are JSON lines (or CSV with a header) with the fields the"
                    + " pipeline file names (events.id, events.key, labels.event-id, labels.label).");
            return 1;
        }
        System.out.printf(Locale.ROOT, "History: %,d events (%,d labeled) from %s; labels from %s%s%n", history.size(),
                history.labeledEvents(), eventsFile, labelsFile, history.labelsWithoutEvent() == 0 ? ""
                        : String.format(Locale.ROOT, " (%,d labels name no event of the file and are not sent)",
                        history.labelsWithoutEvent()));

        try (StopSignal stop = new StopSignal("riffle-replay")) {
            LocalPipeline pipeline = null;
            String servers = bootstrapServers;
            if (servers == null) {
                try {
                    pipeline = LocalPipeline.start(spec, null, kafkaPort, webUiPort, this::trainerReport, System.out);
                } catch (LocalPipeline.NotStarted e) {
                    System.err.println("Not started: " + e.getMessage());
                    return 1;
                }
                servers = pipeline.bootstrapServers();
                System.out.printf("Pipeline '%s' running here (%s). Flink web UI %s.%n", spec.name(),
                        PipelineLaunch.topicsLine(spec), pipeline.restAddress());
            }
            try (LocalPipeline running = pipeline) {
                EventOutcomes outcomes = new EventOutcomes(history, spec.events().idField(), evaluated.name());
                ReplayOutcomes reader;
                try {
                    reader = new ReplayOutcomes(outcomes, servers, spec.kafka().properties(), spec.kafka().topics());
                } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
                    System.err.println("Not started: " + e.getMessage() + " on " + servers);
                    System.err.println("Hint: with --bootstrap-servers the pipeline must already run there"
                            + " (riffle run --config " + config.path() + ", or riffle submit); without it, it runs here.");
                    return 1;
                }
                try (reader) {
                    return replay(spec, labels, evaluated, history, servers, running, reader, outcomes, stop);
                }
            }
        }
    }

    private static LabelsSpec labels(PipelineSpec spec) {
        return spec.labels() == null ? LabelsSpec.defaults() : spec.labels();
    }

    private void checkOptions() {
        String problem = null;
        if (!(rate > 0)) {
            problem = "--rate must be above 0, was " + rate;
        } else if (labelDelay.isNegative()) {
            problem = "--label-delay must not be negative, was " + labelDelay;
        } else if (window < 1) {
            problem = "--window must be at least 1, was " + window;
        } else if (!(threshold > 0 && threshold < 1)) {
            problem = "--threshold must be in (0, 1), was " + threshold;
        } else if (driftAt != null && driftAt < 0) {
            problem = "--drift-at must be 0 or more, was " + driftAt;
        } else if (statusEvery.isZero() || statusEvery.isNegative() || drainTimeout.isNegative()) {
            problem = "--status-every must be above 0 and --drain-timeout not negative";
        }
        if (problem != null) {
            throw new CommandLine.ParameterException(command.commandLine(), problem);
        }
    }

    /** The model to evaluate, or null after saying why there is none. */
    private ModelSpec evaluatedModel(PipelineSpec spec) {
        for (ModelSpec m : spec.models()) {
            if (m.task() == ModelTask.BINARY && (model == null || m.name().equals(model))) {
                return m;
            }
        }
        System.err.println("Not started: " + config.path() + (model == null ? " declares no binary model"
                : " declares no binary model named '" + model + "'") + " to evaluate; its models are "
                + spec.models().stream().map(m -> m.name() + " (" + m.task().name().toLowerCase(Locale.ROOT) + ")").toList());
        System.err.println("Hint: riffle replay evaluates a binary model of the pipeline file; pick one with --model.");
        return null;
    }

    /** In the embedded pipeline: trainer rounds that changed something are worth a line; routine ones are not. */
    private void trainerReport(TrainingReport r) {
        if (r.outcome() == TrainingReport.Outcome.PROMOTED || r.outcome() == TrainingReport.Outcome.DRIFT_DETECTED
                || r.outcome() == TrainingReport.Outcome.PARITY_FAILED) {
            synchronized (trainerLines) {
                trainerLines.add(String.format(Locale.ROOT, "  trainer: %s %s%s — %,d examples — %s", r.modelName(),
                        r.outcome(), r.published() ? " v" + r.version() : "", r.examples(), r.detail()));
            }
        }
    }

    private int replay(PipelineSpec spec, LabelsSpec labels, ModelSpec evaluated, History history, String servers,
                       LocalPipeline pipeline, ReplayOutcomes reader, EventOutcomes outcomes, StopSignal stop)
            throws Exception {
        ReplayProducer producer = new ReplayProducer(history, servers, spec.kafka().properties(),
                spec.kafka().topics().events(), spec.kafka().topics().labels(), labels.format() == DataFormat.AVRO,
                labels.eventIdField(), labels.labelField(), rate, labelDelay);
        JobHealth health = pipeline == null ? null : new JobHealth(pipeline.restAddress(), pipeline.job().getJobID(),
                maxRestarts);
        System.out.printf(Locale.ROOT, "Replaying %,d events at %s/s, each label %s later, into %s (%s)%n",
                history.size(), trim(rate), text(labelDelay),
                spec.kafka().topics().events(), pipeline == null ? servers : "embedded");
        long started = System.currentTimeMillis();
        Thread sender = new Thread(producer, "riffle-replay-producer");
        sender.setDaemon(true);
        sender.start();
        long nextStatus = started + statusEvery.toMillis();
        long nextHealth = started + 1_000;
        long drainSince = -1;
        String stoppedBecause = null;
        int exit = 0;
        while (true) {
            reader.poll(Duration.ofMillis(200));
            long now = System.currentTimeMillis();
            printTrainerLines();
            if (stop.stoppedWithin(Duration.ZERO)) {
                stoppedBecause = "stopped (Ctrl-C): the report covers the events sent so far";
                break;
            }
            if (producer.failure() != null) {
                stoppedBecause = "sending to Kafka failed: " + producer.failure().getMessage();
                exit = 1;
                break;
            }
            if (health != null && now >= nextHealth) {
                nextHealth = now + 1_000;
                JobHealth.Check check = health.check();
                check.news().forEach(System.err::println);
                if (check.failed()) {
                    stoppedBecause = check.giveUp();
                    exit = 1;
                    break;
                }
            }
            if (now >= nextStatus) {
                nextStatus += statusEvery.toMillis();
                System.out.println(statusLine(started, now, history, producer, outcomes,
                        new Prequential(history, outcomes, threshold), evaluated.name()));
                String dead = outcomes.newDeadLetter();
                if (dead != null) {
                    System.out.println("  newest dead letter: " + dead);
                }
            }
            if (producer.finished()) {
                if (outcomes.accounted() >= producer.eventsSent()) {
                    break;
                }
                if (drainSince < 0) {
                    drainSince = now;
                } else if (now - drainSince > drainTimeout.toMillis()) {
                    System.err.printf(Locale.ROOT, "Gave up waiting after %s: %,d events have neither a score nor a"
                                    + " dead letter%n", text(drainTimeout),
                            producer.eventsSent() - outcomes.accounted());
                    break;
                }
            }
        }
        producer.stop();
        sender.join(10_000);
        reader.poll(Duration.ofMillis(500));
        printTrainerLines();
        if (stoppedBecause != null) {
            System.err.println("Stopping: " + stoppedBecause);
        }
        ReplayReport report = report(spec, evaluated, history, producer, outcomes, started, pipeline == null ? servers : "embedded");
        printSummary(report);
        if (json != null) {
            report.write(json);
            System.out.println("Report: " + json);
        }
        if (plot != null) {
            ReplayPlot.write(plot, String.format(Locale.ROOT, "%s: prequential metrics per %,d events (rate %s/s, label delay %s)",
                    spec.name(), window, trim(rate), text(labelDelay)),
                    report.windows(), driftAt, report.versions());
            System.out.println("Plot: " + plot);
        }
        if (exit == 0 && !report.reconciled()) {
            System.err.printf(Locale.ROOT, "Not reconciled: %,d of %,d events came out as neither a score nor a dead"
                    + " letter within --drain-timeout.%n", report.unaccounted(), report.eventsIn());
            System.err.println(report.versions().isEmpty()
                    ? "Hint: no version of " + evaluated.name() + " ever scored an event, so the events still wait for"
                    + " a first model: the trainer needs trainer.min-examples labeled examples (with min-positives"
                    + " positives) to publish one."
                    : "Hint: a slow pipeline may need a longer --drain-timeout; the Flink web UI shows where records wait.");
            exit = 1;
        }
        return exit;
    }

    private void printTrainerLines() {
        synchronized (trainerLines) {
            trainerLines.forEach(System.out::println);
            trainerLines.clear();
        }
    }

    private String statusLine(long started, long now, History history, ReplayProducer producer, EventOutcomes outcomes,
                              Prequential live, String modelName) {
        long sent = producer.eventsSent();
        long elapsed = (now - started) / 1000;
        StringBuilder line = new StringBuilder(200).append(String.format(Locale.ROOT,
                "[%02d:%02d] sent %,d/%,d events · labels %,d · scored %,d · dead letters %,d · in flight %,d",
                elapsed / 60, elapsed % 60, sent, history.size(), producer.labelsSent(), outcomes.scored(),
                outcomes.deadLettered(), sent - outcomes.accounted()));
        int serving = outcomes.newestServing();
        line.append(" · ").append(serving == 0 ? "no " + modelName + " version scored yet" : modelName + " v" + serving);
        MetricSet last = live.latest(window);
        if (last != null && last.accuracy() != null) {
            line.append(String.format(Locale.ROOT, " · last %,d: accuracy %.3f", last.events(), last.accuracy()));
            if (last.rocAuc() != null) {
                line.append(String.format(Locale.ROOT, ", AUC %.3f", last.rocAuc()));
            }
        }
        return line.toString();
    }

    private ReplayReport report(PipelineSpec spec, ModelSpec evaluated, History history, ReplayProducer producer,
                                EventOutcomes outcomes, long started, String kafka) {
        Prequential p = new Prequential(history, outcomes, threshold);
        long n = producer.eventsSent();
        List<ReplayReport.Version> versions = new ArrayList<>();
        for (Prequential.Served s : p.served()) {
            EventOutcomes.VersionInfo info = outcomes.versions().get(s.version());
            versions.add(new ReplayReport.Version(s.version(), s.events(), s.firstEvent(), s.firstScoredAt(),
                    info == null ? null : info.createdAt(), info == null ? null : info.trainingFirstEventTime(),
                    info == null ? null : info.trainingLastEventTime(), info == null ? null : info.trainingExamples(),
                    info == null ? null : info.holdoutRocAuc()));
        }
        long promotions = outcomes.trainerEvents().stream().filter(e -> e.kind().equals("PROMOTED")).count();
        List<Prequential.Window> windows = p.windows(window).stream().filter(w -> w.firstEvent() < n).toList();
        long unaccounted = n - outcomes.accounted();
        return new ReplayReport(config.path().toString(), evaluated.name(), eventsFile.toString(), labelsFile.toString(),
                kafka, rate, labelDelay.toMillis(), window, driftAt, threshold, started,
                (System.currentTimeMillis() - started) / 1000.0, history.size(), n, outcomes.scored(),
                outcomes.deadLettered(), unaccounted, unaccounted == 0, outcomes.deadLetterReasons(),
                outcomes.duplicates(), outcomes.scoredWithoutModel(), producer.labelsSent(), history.labelsWithoutEvent(),
                outcomes.labelDeadLetters(), p.unlabeledCount(), p.trainedOnCount(), p.nonFiniteCount(),
                p.evaluatedCount(), p.over(0, n), p.over(0, n / 2), p.over(n / 2, n),
                driftAt == null ? null : p.over(0, driftAt), driftAt == null ? null : p.over(driftAt, n),
                versions, promotions, outcomes.trainerEvents(), windows);
    }

    private void printSummary(ReplayReport r) {
        System.out.printf(Locale.ROOT, "Replayed %,d events: scored %,d, dead letters %,d, unaccounted %,d — %s%n",
                r.eventsIn(), r.scored(), r.deadLetters(), r.unaccounted(), r.reconciled() ? "reconciled" : "NOT reconciled");
        if (!r.deadLetterReasons().isEmpty()) {
            System.out.println("  dead letters by cause: " + r.deadLetterReasons());
        }
        System.out.printf(Locale.ROOT, "Prequential metrics of %s (accuracy at p >= %s; %,d events evaluated, %,d left"
                        + " out as scored by a version trained on them, %,d scored without a label):%n", r.model(),
                trim(r.threshold()), r.evaluated(), r.trainedOn(), r.unlabeled());
        printMetrics("whole run", r.overall());
        printMetrics("first half", r.firstHalf());
        printMetrics("second half", r.secondHalf());
        if (r.driftAt() != null) {
            printMetrics("before drift", r.beforeDrift());
            printMetrics("after drift", r.afterDrift());
        }
        StringBuilder v = new StringBuilder();
        for (ReplayReport.Version x : r.versions()) {
            v.append(v.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "v%d at #%,d", x.version(), x.firstEvent()));
        }
        System.out.printf(Locale.ROOT, "Versions: %d served, %d promotions (first score of each: %s)%n",
                r.versions().size(), r.promotions(), v.length() == 0 ? "none" : v);
    }

    private static void printMetrics(String name, MetricSet m) {
        System.out.printf(Locale.ROOT, "  %-13s %8s events  accuracy %s  ROC-AUC %s  log-loss %s  recall@1%%FPR %s%n", name,
                String.format(Locale.ROOT, "%,d", m.evaluated()), f(m.accuracy()), f(m.rocAuc()), f(m.logLoss()),
                f(m.recallAt1PctFpr()));
    }

    private static String f(Double v) {
        return v == null ? "  -  " : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A duration as the pipeline file writes it (2s, 5m). */
    private static String text(Duration d) {
        return io.riffle.modelops.spec.Durations.format(d);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}

package io.riffle.cli.demo;

import io.riffle.schemas.ModelVersion;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo while it runs: waits for the scoring job to serve the bootstrap models, prints a status
 * line every interval, introduces a new kind of fraud halfway (remembering the champion's holdout
 * AUC just before it), and at the end waits for the pipeline to finish the events produced.
 */
final class DemoStatusLoop {
    private final PrintStream out;
    private final PipelineMonitor monitor;
    private final long demoStart;
    private final ModelVersion bootstrapClassifier;
    private volatile Double championAucBeforeDrift;
    private volatile Long driftAtSeconds;
    private volatile Long driftAtMillis;

    DemoStatusLoop(PrintStream out, PipelineMonitor monitor, long demoStart, ModelVersion bootstrapClassifier) {
        this.out = out;
        this.monitor = monitor;
        this.demoStart = demoStart;
        this.bootstrapClassifier = bootstrapClassifier;
    }

    /** The fraud champion's holdout AUC just before the drift, or null (no drift yet, no champion). */
    Double championAucBeforeDrift() {
        return championAucBeforeDrift;
    }

    /** Wall-clock time (epoch ms) of the drift, or null when the run ended before it. */
    Long driftAtMillis() {
        return driftAtMillis;
    }

    /** Seconds from the demo's start to the drift, or null when the run ended before it. */
    Long driftAtSeconds() {
        return driftAtSeconds;
    }

    /** Waits until the job reports both bootstrap models loaded, so latency figures start from a running job. */
    void awaitModels(JobClient job) throws InterruptedException {
        out.print("Waiting for the scoring job to load the models ... ");
        out.flush();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, Integer> serving = monitor.serving();
            if (serving.containsKey(BootstrapModels.CLASSIFIER) && serving.containsKey(BootstrapModels.ANOMALY)) {
                out.println("serving " + serving(null) + " on " + devices(monitor));
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

    /**
     * Runs until {@code duration} is over or Ctrl-C (returns true then); prints status lines;
     * introduces a new kind of fraud halfway.
     */
    boolean runFor(DemoTraffic traffic, DemoTrainers trainers, JobClient job, Duration duration,
                   Duration statusInterval) {
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
                driftAtMillis = now;
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
                    monitor.alerts.get(), ms(h, 50), ms(h, 99), serving(trainers), devices(monitor));
        }
        return false;
    }

    /** Waits until every event has come out as a score or a dead letter. */
    boolean drain(DemoTraffic traffic, Duration limit) {
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

    /** The job's status when it is not simply running, else empty. */
    private static String jobStatus(JobClient job) {
        try {
            org.apache.flink.api.common.JobStatus status = job.getJobStatus().get(5, TimeUnit.SECONDS);
            return status == org.apache.flink.api.common.JobStatus.RUNNING ? "" : status.name();
        } catch (Exception e) {
            return "unreachable (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Serving versions, with the holdout AUC each had when it was published where known (trainers not null). */
    private String serving(DemoTrainers trainers) {
        Map<String, Integer> serving = monitor.serving();
        return serving.isEmpty() ? "loading" : serving.entrySet().stream().map(e -> {
            Double auc = trainers == null ? null : trainers.auc(e.getKey(), e.getValue(), bootstrapClassifier);
            return e.getKey() + " v" + e.getValue() + (auc == null ? "" : String.format(Locale.ROOT, " (AUC %.3f)", auc));
        }).collect(Collectors.joining(", "));
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
}

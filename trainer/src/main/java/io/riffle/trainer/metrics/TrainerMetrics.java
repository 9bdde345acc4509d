package io.riffle.trainer.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.riffle.trainer.eval.Evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The metrics of the trainers of one process, in a registry of their own (not the Prometheus
 * client's global default, so that several in one JVM, e.g. tests, do not collide):
 * <ul>
 *   <li>{@code riffle_trainer_rounds_total{model,outcome}}: training rounds by outcome (promoted,
 *       shadow, discarded, parity_failed, skipped);</li>
 *   <li>{@code riffle_trainer_fit_seconds{model}}: histogram of the time a round's fit took;</li>
 *   <li>{@code riffle_trainer_window_examples{model}}: labeled examples in the training window;</li>
 *   <li>{@code riffle_trainer_holdout_roc_auc}, {@code _pr_auc}, {@code _log_loss}
 *       {@code {model,version}}: the holdout figures of each published binary or anomaly version;
 *       {@code riffle_trainer_holdout_recall_at_k{model,version}} of each multiclass version;</li>
 *   <li>{@code riffle_trainer_drift_detections_total{model}}: drifts the champion's live error showed.</li>
 * </ul>
 * {@link #serve} exposes them on {@code http://host:port/metrics}; {@link #unserved} only records
 * them (for {@link #scrape}-less use and tests).
 */
public final class TrainerMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter rounds;
    private final Histogram fitSeconds;
    private final Gauge windowExamples;
    private final Gauge rocAuc;
    private final Gauge prAuc;
    private final Gauge logLoss;
    private final Gauge recallAtK;
    private final Counter drifts;
    private final HTTPServer server;
    private final InetAddress bind;

    private TrainerMetrics(InetAddress bind, Integer port) throws IOException {
        this.bind = bind;
        rounds = Counter.builder().name("riffle_trainer_rounds_total")
                .help("Training rounds by outcome").labelNames("model", "outcome").register(registry);
        fitSeconds = Histogram.builder().name("riffle_trainer_fit_seconds")
                .help("Time a training round's fit took").labelNames("model")
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300).register(registry);
        windowExamples = Gauge.builder().name("riffle_trainer_window_examples")
                .help("Labeled examples in the training window").labelNames("model").register(registry);
        rocAuc = holdoutGauge("riffle_trainer_holdout_roc_auc", "Holdout ROC-AUC of a published version");
        prAuc = holdoutGauge("riffle_trainer_holdout_pr_auc", "Holdout PR-AUC of a published version");
        logLoss = holdoutGauge("riffle_trainer_holdout_log_loss", "Holdout log-loss of a published version");
        recallAtK = holdoutGauge("riffle_trainer_holdout_recall_at_k",
                "Holdout recall@k of a published multiclass version");
        drifts = Counter.builder().name("riffle_trainer_drift_detections_total")
                .help("Drifts detected in the champion's live error").labelNames("model").register(registry);
        server = port == null ? null : HTTPServer.builder().inetAddress(bind).port(port).registry(registry)
                .buildAndStart();
    }

    /**
     * Metrics served on {@code http://bind:port/metrics} ({@code port} 0: a free one, see
     * {@link #address()}).
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static TrainerMetrics serve(String bind, int port) {
        try {
            return new TrainerMetrics(InetAddress.getByName(bind), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown metrics bind address '" + bind + "'", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the trainer metrics on " + bind + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** As {@link #serve}, on any free port when {@code port} cannot be bound. */
    public static TrainerMetrics serveOrAnyPort(String bind, int port) {
        try {
            return serve(bind, port);
        } catch (UncheckedIOException e) {
            return serve(bind, 0);
        }
    }

    /** Metrics recorded but not served. */
    public static TrainerMetrics unserved() {
        try {
            return new TrainerMetrics(null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Gauge holdoutGauge(String name, String help) {
        return Gauge.builder().name(name).help(help).labelNames("model", "version").register(registry);
    }

    /** The address {@code /metrics} is served on, or null when not served. */
    public InetSocketAddress address() {
        return server == null ? null : new InetSocketAddress(bind, server.getPort());
    }

    /** {@code http://host:port/metrics}, or null when not served. */
    public String url() {
        InetSocketAddress a = address();
        return a == null ? null : "http://" + a.getHostString() + ":" + a.getPort() + "/metrics";
    }

    /** A round of {@code model} ended with {@code outcome} (e.g. PROMOTED) after a fit of {@code fitMillis}. */
    public void round(String model, String outcome, long fitMillis) {
        rounds.labelValues(model, outcome.toLowerCase(Locale.ROOT)).inc();
        if (fitMillis > 0) {
            fitSeconds.labelValues(model).observe(fitMillis / 1000.0);
        }
    }

    public void windowExamples(String model, int examples) {
        windowExamples.labelValues(model).set(examples);
    }

    /** The holdout figures of a published binary or anomaly {@code version} (NaN figures are skipped). */
    public void holdout(String model, int version, Evaluation e) {
        String v = String.valueOf(version);
        setIfFinite(rocAuc, model, v, e.rocAuc());
        setIfFinite(prAuc, model, v, e.prAuc());
        setIfFinite(logLoss, model, v, e.logLoss());
    }

    /** The holdout recall@k of a published multiclass {@code version}. */
    public void holdoutRecallAtK(String model, int version, double recall) {
        setIfFinite(recallAtK, model, String.valueOf(version), recall);
    }

    public void driftDetected(String model) {
        drifts.labelValues(model).inc();
    }

    private static void setIfFinite(Gauge g, String model, String version, double value) {
        if (Double.isFinite(value)) {
            g.labelValues(model, version).set(value);
        }
    }

    /** The registry (tests, or another exporter). */
    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}

package io.riffle.cli.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Flink's Prometheus reporter, but serving {@code /metrics} on the loopback interface only: Flink's
 * own {@code PrometheusReporter} binds every interface, and a local run must not be reachable
 * from other machines. Same metric names, labels and format as Flink's reporter (it is Flink's
 * {@link AbstractPrometheusReporter}); only the HTTP server differs.
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {
    private final HTTPServer server;
    private final int port;

    LoopbackPrometheusReporter(int port) {
        try {
            this.server = new HTTPServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), registry(),
                    true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve Flink metrics on 127.0.0.1:" + port, e);
        }
        this.port = server.getPort();
        log.info("Flink metrics (Prometheus) on http://127.0.0.1:{}/metrics", this.port);
    }

    /** The port {@code /metrics} is served on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    /**
     * The reporter's collector registry: a package-private field of Flink's base class, which its
     * own reporter hands to its HTTP server the same way.
     */
    private CollectorRegistry registry() {
        try {
            Field f = AbstractPrometheusReporter.class.getDeclaredField("registry");
            f.setAccessible(true);
            return (CollectorRegistry) f.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("flink-metrics-prometheus changed: no registry field to serve", e);
        }
    }
}

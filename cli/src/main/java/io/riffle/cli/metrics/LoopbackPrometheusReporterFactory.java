package io.riffle.cli.metrics;

import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Properties;

/**
 * Creates {@link LoopbackPrometheusReporter}s; found by Flink through
 * {@code META-INF/services/org.apache.flink.metrics.reporter.MetricReporterFactory}. Configured as
 * {@code metrics.reporter.<name>.factory.class: io.riffle.cli.metrics.LoopbackPrometheusReporterFactory}
 * with {@code metrics.reporter.<name>.port} (one port; 0 = a free one).
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {
    /** The reporter option naming the port. */
    public static final String PORT = "port";

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new LoopbackPrometheusReporter(Integer.parseInt(properties.getProperty(PORT, "9249").trim()));
    }
}

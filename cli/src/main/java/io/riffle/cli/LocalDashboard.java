package io.riffle.cli;

import io.riffle.dashboard.Dashboard;
import io.riffle.dashboard.DashboardOptions;
import io.riffle.modelops.spec.PipelineSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;

/**
 * The live dashboard of a pipeline running in this JVM ({@code riffle demo}, {@code riffle run}):
 * loopback only, the jobs' CPU counted as this process's. The pipeline does not depend on it: when
 * it cannot start, one line says why and the pipeline runs on.
 */
public final class LocalDashboard {
    private LocalDashboard() {}

    /** The Prometheus endpoints among {@code urls} (nulls, for endpoints not served, left out). */
    public static List<URI> endpoints(String... urls) {
        List<URI> out = new java.util.ArrayList<>();
        for (String u : urls) {
            if (u != null) {
                out.add(URI.create(u));
            }
        }
        return out;
    }

    /**
     * Starts the page of {@code spec} on Kafka at {@code servers} and prints its address; null when
     * switched off or it could not start.
     *
     * @param metricsUrls Prometheus endpoints of the jobs and trainers (may be empty)
     * @param flinkRest   the MiniCluster's REST address, or null
     */
    public static Dashboard start(PipelineSpec spec, String servers, LiveDashboardOptions options, List<URI> metricsUrls,
                                  URI flinkRest, PrintStream out) {
        if (options.off()) {
            return null;
        }
        DashboardOptions o = DashboardOptions.of(spec, servers)
                .withListener(DashboardOptions.DEFAULT_BIND, options.port(), true)
                .withMetrics(metricsUrls, flinkRest)
                .withCpuOfThisProcess();
        try {
            Dashboard d = Dashboard.start(o);
            out.println("Dashboard: " + d.url());
            return d;
        } catch (IOException | RuntimeException e) {
            out.println("Dashboard not started (" + e.getMessage() + "); the pipeline runs without it.");
            return null;
        }
    }
}

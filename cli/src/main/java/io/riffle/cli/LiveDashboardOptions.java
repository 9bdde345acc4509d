package io.riffle.cli;

import io.riffle.dashboard.DashboardOptions;
import picocli.CommandLine.Option;

/** {@code --dashboard-port} and {@code --no-dashboard}: the live page a command that runs a pipeline starts ({@link LocalDashboard}). */
public final class LiveDashboardOptions {

    @Option(names = "--dashboard-port", defaultValue = "" + DashboardOptions.DEFAULT_PORT, paramLabel = "PORT",
            description = "Port of the live dashboard on 127.0.0.1 (a free one if taken; 0 = any free). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--no-dashboard", description = "Do not start the live dashboard.")
    boolean off;

    public static LiveDashboardOptions of(int port, boolean off) {
        LiveDashboardOptions o = new LiveDashboardOptions();
        o.port = port;
        o.off = off;
        return o;
    }

    public int port() {
        return port;
    }

    public boolean off() {
        return off;
    }
}

package io.riffle.cli.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The loopback ports a local run serves its metrics on: the one asked for when it is free, else
 * (or when 0 is asked for) any free one. Chosen before the servers start, so a command can print
 * the address; a port taken in between makes that server fail to start, which is logged.
 */
public final class MetricsPorts {
    /** Flink's Prometheus reporter's usual port: the Flink jobs' metrics of a local run. */
    public static final int DEFAULT_FLINK_PORT = 9249;

    private MetricsPorts() {}

    /** {@code requested} if it can be bound on 127.0.0.1, else a free port (0: a free port). */
    public static int choose(int requested) {
        if (requested < 0 || requested > 65535) {
            throw new IllegalArgumentException("metrics port must be 0..65535, got " + requested);
        }
        if (requested > 0 && free(requested)) {
            return requested;
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /** The trainers' port next to the Flink jobs' one: {@code flinkRequested + 1}, or a free one. */
    public static int chooseNext(int flinkRequested, int flinkChosen) {
        int next = flinkRequested == 0 ? 0 : flinkRequested + 1;
        if (next == flinkChosen || next > 65535) {
            next = 0;
        }
        int port = choose(next);
        return port == flinkChosen ? choose(0) : port;
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code http://127.0.0.1:port/metrics}. */
    public static String url(int port) {
        return "http://127.0.0.1:" + port + "/metrics";
    }

    /** The line a command prints at start. */
    public static String line(String flinkUrl, String trainerUrl) {
        StringBuilder b = new StringBuilder("Metrics (Prometheus): ").append(flinkUrl).append(" (Flink jobs)");
        if (trainerUrl != null) {
            b.append(", ").append(trainerUrl).append(" (trainers)");
        }
        return b.toString();
    }
}

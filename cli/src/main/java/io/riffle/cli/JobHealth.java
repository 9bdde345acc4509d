package io.riffle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobID;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a running Flink job is healthy, read from its cluster's REST API (the local
 * MiniCluster's, on loopback): its status, how often it has restarted and why. A job that fails
 * on one record restarts, replays the record and fails again; Flink's own strategy would keep
 * restarting it forever, so the command watching it gives up after {@code maxRestarts} restarts
 * and says what failed.
 */
final class JobHealth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI rest;
    private final JobID job;
    private final int maxRestarts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private long restartsSeen;
    /** Whether the last look could not reach the REST API. */
    private boolean unreachable;

    /** What one look found. */
    record Check(String status, long restarts, List<String> news, String giveUp) {
        /** Whether the command should stop: too many restarts, or the job ended by itself. */
        boolean failed() {
            return giveUp != null;
        }
    }

    /**
     * @param rest        the cluster's REST address, e.g. {@code http://127.0.0.1:8081}
     * @param maxRestarts restarts tolerated before {@link Check#giveUp()} is set
     */
    JobHealth(URI rest, JobID job, int maxRestarts) {
        this.rest = rest;
        this.job = job;
        this.maxRestarts = maxRestarts;
    }

    /** Looks once: a line for each restart since the last look (with its cause), and whether to give up. */
    Check check() {
        JsonNode details;
        try {
            details = get("/jobs/" + job);
        } catch (IOException e) {
            // said once when it starts, not at every look while it lasts
            boolean first = !unreachable;
            unreachable = true;
            return new Check("UNKNOWN", restartsSeen, first ? List.of("cannot reach the Flink REST API at " + rest
                    + ": " + e.getMessage()) : List.of(), null);
        }
        unreachable = false;
        String status = details.path("state").asText("UNKNOWN");
        long restarts = restarts();
        List<String> news = new ArrayList<>();
        String cause = null;
        if (restarts > restartsSeen || status.equals("FAILED") || status.equals("RESTARTING")) {
            cause = lastFailure();
        }
        if (restarts > restartsSeen) {
            news.add("job restarted (" + restarts + (restarts == 1 ? " restart" : " restarts")
                    + (maxRestarts > 0 ? "; the command stops at " + maxRestarts : "") + "): "
                    + (cause == null ? "cause not reported" : cause));
            restartsSeen = restarts;
        }
        String giveUp = null;
        if (restarts >= maxRestarts && maxRestarts > 0 && restarts > 0) {
            giveUp = "the job restarted " + restarts + " times; last failure: " + (cause == null ? "not reported" : cause);
        } else if (status.equals("FAILED") || status.equals("CANCELED") || status.equals("FINISHED")) {
            giveUp = "the job is " + status + (cause == null ? "" : ": " + cause);
        }
        return new Check(status, restarts, news, giveUp);
    }

    /** The job's {@code numRestarts} metric (0 until reported). */
    private long restarts() {
        try {
            for (JsonNode metric : get("/jobs/" + job + "/metrics?get=numRestarts")) {
                return Long.parseLong(metric.path("value").asText("0"));
            }
        } catch (IOException | NumberFormatException e) {
            // not reported yet
        }
        return restartsSeen;
    }

    /** The newest failure as one line: the innermost cause's class and message. */
    private String lastFailure() {
        try {
            JsonNode exceptions = get("/jobs/" + job + "/exceptions?maxExceptions=1");
            JsonNode entries = exceptions.path("exceptionHistory").path("entries");
            String trace = entries.isArray() && entries.size() > 0 ? entries.get(0).path("stacktrace").asText(null)
                    : exceptions.path("root-exception").asText(null);
            return trace == null ? null : rootCause(trace);
        } catch (IOException e) {
            return null;
        }
    }

    /** The last "Caused by:" of a Java stack trace, or its first line: the error a user can act on. */
    static String rootCause(String trace) {
        String line = trace.lines().findFirst().orElse("").trim();
        for (String l : (Iterable<String>) trace.lines()::iterator) {
            if (l.startsWith("Caused by: ")) {
                line = l.substring("Caused by: ".length()).trim();
            }
        }
        return line.length() > 400 ? line.substring(0, 397) + "..." : line;
    }

    private JsonNode get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(rest.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " for " + path);
            }
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}

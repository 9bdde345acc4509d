package io.riffle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.streaming.api.environment.RemoteStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Flink session cluster reached through its REST endpoint ({@code rest.address:rest.port}, the
 * address of its web UI): is it there, which jobs run on it, and an environment whose jobs are
 * submitted to it with the user's jars. The remote counterpart of {@link LocalFlink}.
 */
final class RemoteFlink {
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String host;
    private final int port;

    RemoteFlink(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** {@code HOST:PORT}; the message of the exception says what is expected. */
    static RemoteFlink parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 ? hostPort.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);   // [::1]:8081
        }
        int port = -1;
        try {
            port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : -1;
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        if (host.isEmpty() || host.contains("/") || port < 1 || port > 65535) {
            throw new IllegalArgumentException("--jobmanager takes HOST:PORT of the cluster's REST endpoint"
                    + " (rest.port, 8081 by default), e.g. localhost:8081; got '" + hostPort + "'");
        }
        return new RemoteFlink(host, port);
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** The REST endpoint, which also serves the web UI. */
    String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Asks the cluster for its configuration and returns its Flink version; an exception whose
     * message tells the user what to check when nobody, or not Flink's REST endpoint, answers.
     */
    String flinkVersion() {
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("unknown host '" + host + "' in --jobmanager " + host + ":" + port, e);
        }
        JsonNode config = get("/config");
        JsonNode version = config.get("flink-version");
        if (version == null) {
            throw new IllegalStateException(url() + " answered, but not as Flink's REST endpoint (no flink-version"
                    + " in /config): --jobmanager takes the REST port (rest.port, 8081 by default)");
        }
        return version.asText();
    }

    /** Jobs on the cluster with this name that are not finished, failed or cancelled. */
    List<String> activeJobsNamed(String name) {
        List<String> ids = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            JobStatus state = JobStatus.valueOf(job.path("state").asText("FINISHED"));
            if (name.equals(job.path("name").asText()) && !state.isGloballyTerminalState()) {
                ids.add(job.path("jid").asText() + " (" + state + ")");
            }
        }
        return ids;
    }

    /**
     * An environment whose jobs are submitted to this cluster with {@code jars} (uploaded to its
     * blob server and put on the job's class path), restored from {@code savepoint} if not null.
     */
    StreamExecutionEnvironment environment(List<Path> jars, String savepoint, boolean allowNonRestoredState) {
        Configuration client = new Configuration();
        // executeAsync returns once the cluster has the job; the job must outlive this process.
        client.set(DeploymentOptions.SHUTDOWN_IF_ATTACHED, false);
        String[] jarFiles = jars.stream().map(Path::toString).toArray(String[]::new);
        SavepointRestoreSettings restore = savepoint == null ? SavepointRestoreSettings.none()
                : SavepointRestoreSettings.forPath(savepoint, allowNonRestoredState);
        return new RemoteStreamEnvironment(host, port, client, jarFiles, null, restore);
    }

    private JsonNode get(String path) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(PROBE_TIMEOUT).GET().build();
        String hint = "is a Flink session cluster running there? --jobmanager takes its REST endpoint:"
                + " rest.address and rest.port (8081 by default), the address of its web UI";
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IllegalStateException("no Flink cluster answered at " + url() + " (connection refused): " + hint, e);
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException("no answer from " + url() + " within " + PROBE_TIMEOUT.toSeconds()
                    + " s: " + hint, e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + url() + " (" + e + "): " + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + url(), e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url() + path + " answered HTTP " + response.statusCode() + ": " + hint);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(url() + path + " did not answer JSON: " + hint, e);
        }
    }
}

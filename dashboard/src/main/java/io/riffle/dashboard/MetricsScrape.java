package io.riffle.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One scrape of Prometheus endpoints (Flink's reporter, the trainers'): the samples of every
 * metric by name, read from the text exposition format. The page uses a few of Flink's own
 * (process CPU time, job restarts); an endpoint that does not answer is reported, not fatal.
 */
final class MetricsScrape {
    /** Flink's {@code Status.JVM.CPU.Time}: nanoseconds of CPU the JVM used. */
    static final String FLINK_CPU_NANOS = "flink_taskmanager_Status_JVM_CPU_Time";
    static final String FLINK_RESTARTS = "flink_jobmanager_job_numRestarts";
    static final String PROCESS_CPU_SECONDS = "process_cpu_seconds_total";

    private final Map<String, List<Double>> samples = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private MetricsScrape() {}

    static MetricsScrape of(HttpClient http, List<URI> endpoints) {
        MetricsScrape s = new MetricsScrape();
        for (URI uri : endpoints) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    s.problems.add(uri + " answered HTTP " + r.statusCode());
                } else {
                    s.parse(r.body());
                }
            } catch (java.io.IOException e) {
                s.problems.add(uri + " did not answer (" + e.getClass().getSimpleName() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return s;
    }

    /** Parses the text format: {@code name{labels} value [timestamp]}; comments and blank lines skipped. */
    static MetricsScrape parse(String text, List<String> problems) {
        MetricsScrape s = new MetricsScrape();
        s.parse(text);
        s.problems.addAll(problems);
        return s;
    }

    private void parse(String text) {
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space;
            String name;
            if (brace >= 0 && brace < line.indexOf(' ')) {
                name = line.substring(0, brace);
                space = line.indexOf(' ', line.lastIndexOf('}'));
            } else {
                space = line.indexOf(' ');
                name = space < 0 ? line : line.substring(0, space);
            }
            if (space < 0) {
                continue;
            }
            String[] rest = line.substring(space + 1).strip().split("\\s+");
            try {
                samples.computeIfAbsent(name, k -> new ArrayList<>()).add(Double.parseDouble(rest[0]));
            } catch (NumberFormatException e) {
                // NaN and +Inf parse; anything else is not a sample
            }
        }
    }

    boolean has(String name) {
        return samples.containsKey(name);
    }

    double sum(String name) {
        return samples.getOrDefault(name, List.of()).stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).sum();
    }

    double max(String name) {
        return samples.getOrDefault(name, List.of()).stream().filter(Double::isFinite).mapToDouble(Double::doubleValue)
                .max().orElse(Double.NaN);
    }

    /** CPU seconds used by the scraped processes, NaN when none reports it. */
    double cpuSeconds() {
        if (has(FLINK_CPU_NANOS)) {
            return sum(FLINK_CPU_NANOS) / 1e9;
        }
        return has(PROCESS_CPU_SECONDS) ? sum(PROCESS_CPU_SECONDS) : Double.NaN;
    }

    List<String> problems() {
        return problems;
    }
}

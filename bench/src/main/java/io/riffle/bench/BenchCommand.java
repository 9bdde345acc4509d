package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code riffle bench}: passthrough vs naive vs Riffle in one run, or the JMH operator microbenchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks Riffle side by side with a decode/re-encode passthrough (the stack's ceiling) and"
                + " a naive per-record scorer (RichMapFunction, one ONNX Runtime call per record and model, same two"
                + " models and features), on an embedded Kafka broker and a Flink MiniCluster of the same parallelism"
                + " in this JVM.",
                "Each variant consumes the same pre-produced events; the bench reports sustained events/s (records out"
                        + " over first -> last output), CPU seconds per million events, latency p50/p95/p99/max"
                        + " (ingestion -> output) at a fixed offered load in a separate phase, model swap latency"
                        + " during the Riffle phase, and checks that each variant outputs every record exactly once"
                        + " (read_committed). Exit code 1 if a check fails.",
                "--micro runs the JMH microbenchmark of the batching scorer vs ONNX Runtime called directly instead."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--events", description = "Events pre-produced and consumed by every variant (default: ${DEFAULT-VALUE}).")
    long events = 2_000_000;

    @Option(names = "--parallelism", description = "Parallelism of every variant's job (default: ${DEFAULT-VALUE}).")
    int parallelism = 2;

    @Option(names = "--batch-size", description = "Riffle's records per ONNX Runtime call (default: ${DEFAULT-VALUE}).")
    int batchSize = 256;

    @Option(names = "--batch-max-delay", description = "Riffle's longest wait of a partial batch (default: 20ms).")
    Duration batchMaxDelay = Duration.ofMillis(20);

    @Option(names = "--delivery", description = "exactly-once or at-least-once, for every variant (default: ${DEFAULT-VALUE}).")
    String delivery = "exactly-once";

    @Option(names = "--checkpoint-interval", description = "Checkpoint interval of every variant (default: 2s).")
    Duration checkpointInterval = Duration.ofSeconds(2);

    @Option(names = "--latency-load", description = "Offered load of the latency phase as a fraction of the measured"
            + " passthrough rate (default: ${DEFAULT-VALUE}).")
    double latencyLoad = 0.5;

    @Option(names = "--latency-rate", description = "Fixed offered load of the latency phase in events/s; overrides"
            + " --latency-load.")
    double latencyRate;

    @Option(names = "--latency-duration", description = "Measured part of each latency phase (default: 10s).")
    Duration latencyDuration = Duration.ofSeconds(10);

    @Option(names = "--warmup", description = "Offered load before the measured part of each latency phase (default: 3s).")
    Duration warmup = Duration.ofSeconds(3);

    @Option(names = "--swap-every", description = "Publish a new fraud model version this often during the Riffle"
            + " throughput phase; 0 for none (default: 2s).")
    Duration swapEvery = Duration.ofSeconds(2);

    @Option(names = "--object-reuse", negatable = true, description = "Flink object reuse in every variant's job"
            + " (default: ${DEFAULT-VALUE}; the scoring job enables it itself).")
    boolean objectReuse = true;

    @Option(names = "--variants", split = ",", description = "Variants to run (default: passthrough,naive,riffle).")
    List<String> variants = List.of("passthrough", "naive", "riffle");

    @Option(names = "--timeout", description = "Longest one phase of one variant may take (default: 3m).")
    Duration timeout = BenchSettings.DEFAULT_TIMEOUT;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    File jsonFile;

    @Option(names = "--micro", description = "Run the JMH microbenchmark of the batching scorer instead.")
    boolean micro;

    @Override
    public Integer call() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        if (micro) {
            ObjectNode result = mapper.createObjectNode();
            result.set("micro", MicroBench.run(1, 3, 5, System.out::println));
            write(mapper, result);
            return 0;
        }
        boolean exactlyOnce = switch (delivery) {
            case "exactly-once" -> true;
            case "at-least-once" -> false;
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--delivery must be exactly-once or at-least-once, was " + delivery);
        };
        List<Variant> chosen = variants.stream()
                .map(v -> Variant.valueOf(v.trim().toUpperCase(java.util.Locale.ROOT))).sorted().toList();
        BenchSettings settings = new BenchSettings(events, parallelism, batchSize, batchMaxDelay, exactlyOnce,
                checkpointInterval, latencyLoad, latencyRate, latencyDuration, warmup, swapEvery, objectReuse, chosen,
                timeout);
        ObjectNode result = new BenchRun(settings, line -> {
            System.out.println(line);
            System.out.flush();
        }).run();
        System.out.println();
        BenchReport.table(result).forEach(System.out::println);
        write(mapper, result);
        return result.path("ok").asBoolean() ? 0 : 1;
    }

    private void write(ObjectMapper mapper, ObjectNode result) throws java.io.IOException {
        if (jsonFile != null) {
            mapper.writerWithDefaultPrettyPrinter().writeValue(jsonFile, result);
            System.out.println("Results written to " + jsonFile);
        }
    }
}

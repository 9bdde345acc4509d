package io.riffle.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code riffle bench}: passthrough vs naive vs Riffle in one run, or the JMH operator microbenchmark.
 *
 * <p>The bench module (Flink's test harness jars, JMH) is not on {@code riffle}'s production class
 * path: the launcher script adds it for {@code riffle bench} only. This class therefore names no
 * bench class; {@link BenchSuite} does, and is reached only once the bench is known to be there.
 */
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
                "--micro runs the JMH microbenchmark of the batching scorer vs ONNX Runtime called directly instead;"
                        + " --state measures the keyed state's cost per entity; --task-managers measures throughput on"
                        + " standalone Flink clusters of separate JVMs instead of the MiniCluster."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--events", description = "Events pre-produced and consumed by every variant (default: ${DEFAULT-VALUE}).")
    long events = 2_000_000;

    @Option(names = "--entities", description = "Cards the events are spread over, i.e. entities in Riffle's keyed"
            + " state (default: ${DEFAULT-VALUE}).")
    int entities = 100_000;

    @Option(names = "--warmup-events", description = "Events of each unmeasured warm-up job: every variant runs once"
            + " over them first, then again right before its measured phase (see --warmup-rounds), so that no variant"
            + " is measured while the JIT is still compiling the stack (default: ${DEFAULT-VALUE}, and "
            + SCALE_OUT_WARMUP_EVENTS + " once per variant with --task-managers, whose clusters' JVMs start cold; 0"
            + " for none).")
    long warmupEvents = 1_000_000;

    @Option(names = "--warmup-rounds", description = "Most warm-up jobs a variant runs right before its measured"
            + " phase: they repeat until one during which the JVM's JIT compilers used less than a tenth of a core on"
            + " average (read from /proc on Linux; elsewhere every one runs) (default: ${DEFAULT-VALUE}).")
    int warmupRounds = 5;

    /** The warm-up round's default in scale-out mode: every cluster's task managers are fresh JVMs. */
    static final long SCALE_OUT_WARMUP_EVENTS = 3_000_000;

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

    @Option(names = "--variants", split = ",", description = "Variants to run (default: passthrough,naive,riffle;"
            + " passthrough-keyed is the passthrough with the events keyed by card before its sink, the ceiling of a"
            + " keyed job; riffle-alt is the scoring job again with --alt on top).")
    List<String> variants = List.of("passthrough", "naive", "riffle");

    @Option(names = "--alt", paramLabel = "KEY=VALUE", description = {"Configuration of the riffle-alt variant on top"
            + " of riffle's, Flink or Riffle options (repeatable), e.g. --alt riffle.scoring.batch-size=1024 or --alt"
            + " state.backend.type=rocksdb: a lever measured on and off in one run. Adds riffle-alt to --variants."})
    java.util.Map<String, String> alt = new java.util.LinkedHashMap<>();

    /** Set by --runs on its even runs, so that neither riffle nor riffle-alt is always the later, warmer job. */
    @Option(names = "--alt-first", hidden = true, description = "Run riffle-alt's phases before riffle's.")
    boolean altFirst;

    @Option(names = "--timeout", description = "Longest one phase of one variant may take (default: 3m).")
    Duration timeout = Duration.ofMinutes(3);

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    File jsonFile;

    @Option(names = "--runs", defaultValue = "1", description = "Repeat the whole comparison this many times, each"
            + " in a fresh JVM, and report each figure's spread (median, min, max) in the output and under \"spread\""
            + " in --json. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Spec
    CommandSpec spec;

    @Option(names = "--state", split = ",", paramLabel = "ENTITIES", description = {"Measure instead what the scoring"
            + " job's keyed state costs per entity at these entity counts (e.g. 100000,1000000): live heap, bytes and"
            + " time of a full checkpoint and of its restore, each entity with --state-events events over a day, and"
            + " the figures extrapolated to 10 million entities."})
    List<Integer> state;

    @Option(names = "--task-managers", split = ",", paramLabel = "N", description = {"Scale-out mode: run each"
            + " variant's throughput phase (after its warm-up) on a standalone Flink cluster of separate JVMs, once per"
            + " task-manager count given (e.g. 1,2), the parallelism's slots split evenly over them, and report each"
            + " count's events/s and CPU and its ratio to the first count's. No latency phase, no model swaps."})
    List<Integer> taskManagers;

    @Option(names = "--state-events", description = "With --state: events per entity (default: ${DEFAULT-VALUE}).")
    int stateEvents = 20;

    @Option(names = "--micro", description = "Run the JMH microbenchmark of the batching scorer instead.")
    boolean micro;

    @Option(names = "--device", defaultValue = "cpu", description = {"With --micro: cpu, or cuda[:N] to measure the"
            + " GPU beside one CPU thread at batch sizes 32 to 8,192 and print from which batch the GPU pays (needs the"
            + " gpu build on a CUDA host). Default: ${DEFAULT-VALUE}."})
    String device;

    /** A class of the bench module: present when the launcher put the bench on the class path. */
    static final String BENCH_CLASS = "io.riffle.bench.BenchRun";

    @Override
    public Integer call() throws Exception {
        if (!benchPresent()) {
            System.err.println("riffle bench: the benchmark suite is not on the class path; run it from a source"
                    + " checkout as ./riffle bench ... (the launcher adds bench/target, built by mvn -DskipTests package)");
            return 1;
        }
        return BenchSuite.run(this);
    }

    static boolean benchPresent() {
        try {
            Class.forName(BENCH_CLASS, false, BenchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

package io.riffle.cli;

import io.riffle.modelops.spec.ScoringSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.riffle.bench.BenchReport;
import io.riffle.bench.BenchRun;
import io.riffle.bench.BenchSettings;
import io.riffle.bench.BenchSpread;
import io.riffle.bench.MicroBench;
import io.riffle.bench.Variant;
import picocli.CommandLine;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * What {@link BenchCommand} runs, in the bench module's classes: kept apart so that the command
 * itself loads (for {@code riffle --help}) without the bench on the class path.
 */
final class BenchSuite {
    private BenchSuite() {}

    static int run(BenchCommand c) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        if (c.micro) {
            ObjectNode result = mapper.createObjectNode();
            result.set("micro", MicroBench.run(1, 3, 5, c.device, System.out::println));
            write(mapper, result, c);
            return 0;
        }
        if (c.state != null && !c.state.isEmpty()) {
            if (c.state.stream().anyMatch(n -> n < 1) || c.stateEvents < 1) {
                throw new CommandLine.ParameterException(new CommandLine(c),
                        "--state needs entity counts of at least 1 and --state-events at least 1");
            }
            ObjectNode result = mapper.createObjectNode();
            result.set("state_cost", io.riffle.bench.StateCost.run(c.state, c.stateEvents, System.out::println));
            write(mapper, result, c);
            return 0;
        }
        boolean exactlyOnce;
        try {
            exactlyOnce = ScoringSpec.Delivery.parse(c.delivery) == ScoringSpec.Delivery.EXACTLY_ONCE;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(c),
                    "--delivery must be exactly-once or at-least-once, was " + c.delivery);
        }
        List<Variant> chosen;
        try {
            java.util.Set<Variant> set = new java.util.TreeSet<>();
            c.variants.forEach(v -> set.add(Variant.of(v)));
            if (!c.alt.isEmpty()) {
                set.add(Variant.RIFFLE_ALT);
            }
            chosen = order(List.copyOf(set), c.altFirst);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--variants takes passthrough, passthrough-keyed,"
                    + " naive, riffle and riffle-alt, was " + c.variants);
        }
        List<Integer> taskManagers = c.taskManagers == null ? List.of() : c.taskManagers;
        // A short warm-up left a fresh task manager JVM still compiling while it was measured (two of them
        // compile twice the code on the same cores), unless the user chose the warm-up.
        long warmupEvents = !taskManagers.isEmpty() && (c.spec == null
                || !c.spec.commandLine().getParseResult().hasMatchedOption("--warmup-events"))
                ? BenchCommand.SCALE_OUT_WARMUP_EVENTS : c.warmupEvents;
        BenchSettings settings = new BenchSettings(c.events, c.entities, warmupEvents, c.warmupRounds, c.parallelism, c.batchSize,
                c.batchMaxDelay, exactlyOnce, c.checkpointInterval, c.latencyLoad, c.latencyRate, c.latencyDuration, c.warmup, c.swapEvery,
                c.objectReuse, chosen, c.timeout, c.alt);
        if (c.runs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--runs must be at least 1, was " + c.runs);
        }
        if (!taskManagers.isEmpty() && c.runs != 1) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--task-managers runs one at a time: drop --runs"
                    + " (run the command again for another measurement)");
        }
        try {
            BenchRun.checkTaskManagers(c.parallelism, taskManagers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--task-managers: " + e.getMessage());
        }
        if (c.runs == 1) {
            ObjectNode result = new BenchRun(settings, taskManagers, line -> {
                System.out.println(line);
                System.out.flush();
            }).run();
            System.out.println();
            BenchReport.table(result).forEach(System.out::println);
            write(mapper, result, c);
            return result.path("ok").asBoolean() ? 0 : 1;
        }
        // Several runs: each in a JVM of its own (the same JVM options and class path), so that no
        // run starts with the JIT, heap sizing and class loading of the ones before it.
        List<ObjectNode> runs = new java.util.ArrayList<>();
        boolean ok = true;
        List<String> args = singleRunArgs(c.spec == null ? List.of() : c.spec.commandLine().getParseResult().originalArgs());
        for (int i = 1; i <= c.runs; i++) {
            System.out.printf(Locale.ROOT, "%n=== run %d of %d (a fresh JVM) ===%n", i, c.runs);
            System.out.flush();
            java.nio.file.Path json = java.nio.file.Files.createTempFile("riffle-bench-run-", ".json");
            try {
                List<String> command = new java.util.ArrayList<>(childJvm());
                command.add("bench");
                command.addAll(args);
                command.addAll(List.of("--runs", "1", "--json", json.toString()));
                if (!c.alt.isEmpty() && i % 2 == 0) {
                    // A later job in a JVM runs warmer (riffle-alt identical to riffle measured 1.11x):
                    // alternating which goes first lets the runs' median cancel that out.
                    command.add("--alt-first");
                    System.out.println("(this run measures riffle-alt before riffle)");
                }
                int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
                if (java.nio.file.Files.size(json) == 0) {
                    System.out.printf(Locale.ROOT, "run %d ended with exit code %d and no results%n", i, rc);
                    ok = false;
                    continue;
                }
                ObjectNode result = (ObjectNode) mapper.readTree(json.toFile());
                runs.add(result);
                ok &= rc == 0 && result.path("ok").asBoolean();
            } finally {
                java.nio.file.Files.deleteIfExists(json);
            }
        }
        if (runs.isEmpty()) {
            System.out.println("No run gave results.");
            return 1;
        }
        // The first run's figures at the top (as a single run writes them), every run and the spread beside.
        ObjectNode all = runs.get(0).deepCopy();
        all.putArray("runs").addAll(runs);
        ObjectNode spread = BenchSpread.of(runs);
        all.set("spread", spread);
        all.put("ok", ok);
        System.out.println();
        BenchSpread.lines(spread).forEach(System.out::println);
        write(mapper, all, c);
        return ok ? 0 : 1;
    }

    /**
     * The variants in the order their phases run: passthrough, naive, riffle, riffle-alt, or with
     * {@code altFirst} riffle-alt just before riffle.
     */
    static List<Variant> order(List<Variant> sorted, boolean altFirst) {
        if (!altFirst || !sorted.contains(Variant.RIFFLE_ALT) || !sorted.contains(Variant.RIFFLE)) {
            return sorted;
        }
        List<Variant> out = new java.util.ArrayList<>(sorted);
        out.remove(Variant.RIFFLE_ALT);
        out.add(out.indexOf(Variant.RIFFLE), Variant.RIFFLE_ALT);
        return List.copyOf(out);
    }

    /** This command's arguments without --runs, --json (and their values) and --alt-first, for one run in a child JVM. */
    static List<String> singleRunArgs(List<String> original) {
        int start = original.indexOf("bench") + 1;
        List<String> out = new java.util.ArrayList<>();
        for (int i = start; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--runs") || a.equals("--json")) {
                i++;
            } else if (!a.startsWith("--runs=") && !a.startsWith("--json=") && !a.equals("--alt-first")) {
                // (--alt-first is the suite's to give, to its even runs only)
                out.add(a);
            }
        }
        return out;
    }

    /** This JVM's java, options and class path, and Riffle's main class. */
    private static List<String> childJvm() {
        List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Riffle.class.getName());
        return command;
    }

    private static void write(ObjectMapper mapper, ObjectNode result, BenchCommand c) throws IOException {
        if (c.jsonFile != null) {
            mapper.writerWithDefaultPrettyPrinter().writeValue(c.jsonFile, result);
            System.out.println("Results written to " + c.jsonFile);
        }
    }
}

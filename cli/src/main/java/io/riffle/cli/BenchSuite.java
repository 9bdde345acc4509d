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
        List<Variant> chosen = c.variants.stream()
                .map(v -> Variant.valueOf(v.trim().toUpperCase(Locale.ROOT))).sorted().toList();
        BenchSettings settings = new BenchSettings(c.events, c.entities, c.warmupEvents, c.parallelism, c.batchSize, c.batchMaxDelay, exactlyOnce,
                c.checkpointInterval, c.latencyLoad, c.latencyRate, c.latencyDuration, c.warmup, c.swapEvery,
                c.objectReuse, chosen, c.timeout);
        if (c.runs < 1) {
            throw new CommandLine.ParameterException(new CommandLine(c), "--runs must be at least 1, was " + c.runs);
        }
        List<ObjectNode> runs = new java.util.ArrayList<>();
        boolean ok = true;
        for (int i = 1; i <= c.runs; i++) {
            if (c.runs > 1) {
                System.out.printf(Locale.ROOT, "%n=== run %d of %d ===%n", i, c.runs);
            }
            ObjectNode result = new BenchRun(settings, line -> {
                System.out.println(line);
                System.out.flush();
            }).run();
            System.out.println();
            BenchReport.table(result).forEach(System.out::println);
            runs.add(result);
            ok &= result.path("ok").asBoolean();
        }
        if (c.runs == 1) {
            write(mapper, runs.get(0), c);
        } else {
            // The first run's figures at the top (as a single run writes them), every run and the spread beside.
            ObjectNode all = runs.get(0).deepCopy();
            all.putArray("runs").addAll(runs);
            ObjectNode spread = BenchSpread.of(runs);
            all.set("spread", spread);
            all.put("ok", ok);
            System.out.println();
            BenchSpread.lines(spread).forEach(System.out::println);
            write(mapper, all, c);
        }
        return ok ? 0 : 1;
    }

    private static void write(ObjectMapper mapper, ObjectNode result, BenchCommand c) throws IOException {
        if (c.jsonFile != null) {
            mapper.writerWithDefaultPrettyPrinter().writeValue(c.jsonFile, result);
            System.out.println("Results written to " + c.jsonFile);
        }
    }
}

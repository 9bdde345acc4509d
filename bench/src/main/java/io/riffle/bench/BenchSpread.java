package io.riffle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The spread of several {@link BenchRun}s of the same settings: for each ratio and each variant's
 * throughput, CPU cost and latency, the values of every run with their min, median and max. Rates
 * on a shared machine move by 10-30% from run to run; the ratios of one run move much less, and
 * their spread says by how much.
 */
public final class BenchSpread {
    private static final String[] RATIOS = {"riffle_vs_passthrough", "riffle_vs_naive", "cpu_riffle_vs_passthrough",
            "cpu_riffle_vs_naive"};
    /**
     * Ratios of variants that run only when asked for: the lever's (riffle-alt, --alt) and the keyed
     * passthrough's; each is spread over the runs that have it.
     */
    private static final String[] OPTIONAL_RATIOS = {"riffle_alt_vs_riffle", "cpu_riffle_alt_vs_riffle",
            "passthrough_keyed_vs_passthrough", "cpu_passthrough_keyed_vs_passthrough", "riffle_vs_passthrough_keyed",
            "cpu_riffle_vs_passthrough_keyed"};
    private static final String[] PER_VARIANT = {"events_per_s", "cpu_s_per_million"};
    private static final String[] LATENCY = {"p50_ms", "p99_ms", "visible_p99_ms"};

    private BenchSpread() {}

    /** {@code {"ratios": {name: {values, min, median, max}}, "variants": {variant: {figure: ...}}}}. */
    public static ObjectNode of(List<? extends JsonNode> runs) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spread = json.createObjectNode();
        spread.put("runs", runs.size());
        ObjectNode ratios = spread.putObject("ratios");
        for (String r : RATIOS) {
            put(ratios, r, values(runs, "/ratios/" + r));
        }
        for (String r : OPTIONAL_RATIOS) {
            double[] values = values(runs, "/ratios/" + r);
            if (values.length > 0) {
                put(ratios, r, values);
            }
        }
        ObjectNode variants = spread.putObject("variants");
        for (String v : variantNames(runs)) {
            ObjectNode n = variants.putObject(v);
            for (String f : PER_VARIANT) {
                put(n, f, values(runs, "/variants/" + v + "/" + f));
            }
            for (String f : LATENCY) {
                put(n, f, values(runs, "/variants/" + v + "/" + f));
            }
        }
        return spread;
    }

    /** One line per ratio: {@code riffle_vs_passthrough 0.71 (0.66 .. 0.79)}. */
    public static List<String> lines(ObjectNode spread) {
        List<String> out = new ArrayList<>();
        out.add("Spread over " + spread.path("runs").asInt() + " runs (median, min .. max):");
        spread.path("ratios").fields().forEachRemaining(e -> out.add(line("  " + e.getKey(), e.getValue())));
        spread.path("variants").fields().forEachRemaining(v -> v.getValue().fields().forEachRemaining(
                f -> out.add(line("  " + v.getKey() + " " + f.getKey(), f.getValue()))));
        return out;
    }

    private static String line(String name, JsonNode n) {
        if (!n.has("median")) {
            return name + " -";
        }
        boolean whole = name.endsWith("events_per_s") || name.endsWith("_ms");
        return String.format(Locale.ROOT, "%s %s (%s .. %s)", name, num(n.get("median"), whole),
                num(n.get("min"), whole), num(n.get("max"), whole));
    }

    /** Rates and milliseconds as whole numbers (an even number of runs' median may end in .5), the rest to 3 places. */
    private static String num(JsonNode v, boolean whole) {
        double d = v.asDouble();
        return whole ? String.format(Locale.ROOT, "%,d", Math.round(d)) : String.format(Locale.ROOT, "%.3f", d);
    }

    private static List<String> variantNames(List<? extends JsonNode> runs) {
        List<String> names = new ArrayList<>();
        for (JsonNode run : runs) {
            run.path("variants").fieldNames().forEachRemaining(n -> {
                if (!names.contains(n)) {
                    names.add(n);
                }
            });
        }
        return names;
    }

    private static double[] values(List<? extends JsonNode> runs, String pointer) {
        return runs.stream().map(r -> r.at(pointer)).filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble).toArray();
    }

    private static void put(ObjectNode into, String name, double[] values) {
        ObjectNode n = into.putObject(name);
        ArrayNode all = n.putArray("values");
        Arrays.stream(values).forEach(all::add);
        if (values.length == 0) {
            return;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        n.put("min", sorted[0]);
        n.put("median", sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2);
        n.put("max", sorted[sorted.length - 1]);
    }
}

package io.riffle.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The JSON of a bench run that is not a measurement: the exactly-once verdict of each phase, the
 * model swap check, the ratios between variants, the machine and the settings. Every failed check
 * is kept in {@link #problems()} (the run is not ok when there is one) and said as it is found.
 */
final class BenchResults {
    private final ObjectMapper json;
    private final BenchSettings settings;
    private final Consumer<String> say;
    private final List<String> problems = new ArrayList<>();

    BenchResults(ObjectMapper json, BenchSettings settings, Consumer<String> say) {
        this.json = json;
        this.settings = settings;
        this.say = say;
    }

    List<String> problems() {
        return problems;
    }

    ObjectNode exactness(Variant v, String phase, OutputAudit audit, long expected, String failure) {
        ObjectNode n = json.createObjectNode();
        n.put("expected", expected);
        n.put("records_out", audit.records());
        n.put("distinct", audit.distinct());
        n.put("missing", expected - audit.distinct());
        n.put("duplicates", audit.duplicates());
        n.put("unexpected", audit.foreign());
        boolean ok = failure == null && audit.distinct() == expected && audit.duplicates() == 0 && audit.foreign() == 0;
        n.put("exactly_once", ok);
        if (audit.checkedScores() > 0) {
            // each flagged score is also an alert: a share far above a real model's would measure the alerts topic
            n.put("flagged_scores", audit.flaggedScores());
            n.put("flagged_share", round((double) audit.flaggedScores() / audit.checkedScores(), 5));
        }
        if (failure != null) {
            n.put("failure", failure);
        }
        if (!ok) {
            String p = String.format("%s %s phase: NOT EXACTLY ONCE: expected %,d, distinct %,d, missing %,d (first"
                            + " missing index %d), duplicates %,d, unexpected %,d%s", v.key(), phase, expected,
                    audit.distinct(), expected - audit.distinct(), audit.firstMissing(), audit.duplicates(),
                    audit.foreign(), failure == null ? "" : "; " + failure);
            problems.add(p);
            say.accept("!!! " + p);
        }
        return n;
    }

    static String exactSummary(OutputAudit audit, long expected) {
        boolean ok = audit.distinct() == expected && audit.duplicates() == 0 && audit.foreign() == 0;
        return ok ? String.format("all %,d records exactly once", expected)
                : String.format("NOT exactly once: %,d missing, %,d duplicates", expected - audit.distinct(),
                audit.duplicates());
    }

    ObjectNode swapResult(ModelSwapper swapper, OutputAudit audit) {
        ObjectNode n = json.createObjectNode();
        Map<Integer, Long> published = swapper.published();
        Map<Integer, Long> seen = audit.firstScoreWithFraudVersion();
        Histogram h = new Histogram(3_600_000L, 3);
        int observed = 0;
        int unobserved = 0;
        for (Map.Entry<Integer, Long> e : published.entrySet()) {
            Long first = seen.get(e.getKey());
            if (first != null) {
                h.recordValue(Math.max(0, first - e.getValue()));
                observed++;
            } else if (e.getValue() < audit.lastAppend() - 1000) {
                // Published a second or more before the last score, yet no score carries it.
                unobserved++;
            }
        }
        List<Integer> unknown = new ArrayList<>();
        for (Integer version : seen.keySet()) {
            // (versions below the swapper's first were published before its phase: the initial one, an earlier phase's)
            if (version >= swapper.firstVersion() && !published.containsKey(version)) {
                unknown.add(version);
            }
        }
        n.put("versions_published", published.size());
        n.put("versions_observed", observed);
        n.put("versions_never_served", unobserved);
        n.put("p50_ms", observed > 0 ? h.getValueAtPercentile(50) : null);
        n.put("max_ms", observed > 0 ? h.getMaxValue() : null);
        n.put("scores_with_bad_models", audit.badScores());
        n.putPOJO("unknown_versions_served", unknown);
        boolean ok = audit.badScores() == 0 && unknown.isEmpty() && unobserved == 0 && swapper.failure() == null
                && audit.missing() == 0 && audit.duplicates() == 0;
        n.put("ok", ok);
        if (!ok) {
            String p = "model swap check failed: " + audit.badScores() + " scores with bad model sets"
                    + (audit.firstBadScore() == null ? "" : " (first: " + audit.firstBadScore() + ")")
                    + ", unknown versions " + unknown + ", " + unobserved + " versions never served"
                    + (swapper.failure() == null ? "" : ", publishing failed: " + swapper.failure().getMessage());
            problems.add(p);
            say.accept("!!! " + p);
        }
        say.accept(String.format("[riffle] model swap: %d versions published, %d observed; publish -> first score p50 %s ms,"
                        + " max %s ms; %d scores with a bad model set", published.size(), observed,
                observed > 0 ? h.getValueAtPercentile(50) : "-", observed > 0 ? h.getMaxValue() : "-",
                audit.badScores()));
        return n;
    }

    ObjectNode ratios(Map<Variant, ObjectNode> results) {
        ObjectNode n = json.createObjectNode();
        ObjectNode riffle = results.get(Variant.RIFFLE);
        ObjectNode pass = results.get(Variant.PASSTHROUGH);
        ObjectNode naive = results.get(Variant.NAIVE);
        n.put("riffle_vs_passthrough", ratio(riffle, pass, "events_per_s"));
        n.put("riffle_vs_naive", ratio(riffle, naive, "events_per_s"));
        n.put("cpu_riffle_vs_passthrough", ratio(riffle, pass, "cpu_s_per_million"));
        n.put("cpu_riffle_vs_naive", ratio(riffle, naive, "cpu_s_per_million"));
        ObjectNode keyed = results.get(Variant.PASSTHROUGH_KEYED);
        if (keyed != null) {
            // what the keyed shuffle alone costs, and riffle against a keyed job's ceiling
            n.put("passthrough_keyed_vs_passthrough", ratio(keyed, pass, "events_per_s"));
            n.put("cpu_passthrough_keyed_vs_passthrough", ratio(keyed, pass, "cpu_s_per_million"));
            n.put("riffle_vs_passthrough_keyed", ratio(riffle, keyed, "events_per_s"));
            n.put("cpu_riffle_vs_passthrough_keyed", ratio(riffle, keyed, "cpu_s_per_million"));
        }
        ObjectNode alt = results.get(Variant.RIFFLE_ALT);
        if (alt != null) {
            n.put("riffle_alt_vs_riffle", ratio(alt, riffle, "events_per_s"));
            n.put("cpu_riffle_alt_vs_riffle", ratio(alt, riffle, "cpu_s_per_million"));
            n.put("riffle_alt_vs_passthrough", ratio(alt, pass, "events_per_s"));
        }
        return n;
    }

    /** {@code a.key / b.key} to three decimals, or null when either is missing or the divisor is 0. */
    static Double ratio(com.fasterxml.jackson.databind.JsonNode a, com.fasterxml.jackson.databind.JsonNode b,
                        String key) {
        if (a == null || b == null || !a.hasNonNull(key) || !b.hasNonNull(key) || b.get(key).asDouble() == 0) {
            return null;
        }
        return round(a.get(key).asDouble() / b.get(key).asDouble(), 3);
    }

    ObjectNode machine() {
        ObjectNode n = json.createObjectNode();
        n.put("cores", Runtime.getRuntime().availableProcessors());
        n.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        n.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        return n;
    }

    ObjectNode settingsJson() {
        ObjectNode n = json.createObjectNode();
        n.put("events", settings.events());
        n.put("entities", settings.entities());
        n.put("warmup_events", settings.warmupEvents());
        n.put("warmup_rounds_max", settings.warmupRounds());
        n.put("parallelism", settings.parallelism());
        n.put("batch_size", settings.batchSize());
        n.put("batch_max_delay_ms", settings.batchMaxDelay().toMillis());
        n.put("delivery", settings.delivery());
        n.put("checkpoint_interval_ms", settings.checkpointInterval().toMillis());
        n.put("object_reuse", settings.objectReuse());
        n.put("swap_every_ms", settings.swapEvery().toMillis());
        if (!settings.alt().isEmpty()) {
            n.putPOJO("riffle_alt", new java.util.TreeMap<>(settings.alt()));
        }
        // the order the phases ran in (a later job in the JVM runs warmer)
        n.putPOJO("variants_order", settings.variants().stream().map(Variant::key).toList());
        return n;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

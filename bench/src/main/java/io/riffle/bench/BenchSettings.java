package io.riffle.bench;

import io.riffle.modelops.spec.ScoringSpec;
import java.time.Duration;
import java.util.List;

/**
 * One bench run's settings (the options of cli's {@code riffle bench} command).
 *
 * @param events events pre-produced for the throughput phase, the same for every variant
 * @param entities cards the events are spread over: the scoring job's keyed state holds one per card
 * @param warmupEvents events of the warm-up round every variant runs (unmeasured) before any phase; 0 = none
 * @param warmupRounds most warm-up rounds: they repeat until the JIT is quiet during one (see {@code BenchRun})
 * @param latencyLoad offered load of the latency phase as a fraction of the passthrough's measured rate
 * @param latencyRate fixed offered load in events/s; 0 = {@code latencyLoad} x passthrough rate
 * @param swapEvery interval of the model versions published during the Riffle throughput phase (0 = none)
 * @param variantTimeout longest a phase may take before it is reported as incomplete
 * @param alt configuration (Flink or Riffle options) of the riffle-alt variant on top of riffle's
 */
public record BenchSettings(long events, int entities, long warmupEvents, int warmupRounds, int parallelism, int batchSize, Duration batchMaxDelay, boolean exactlyOnce,
                     Duration checkpointInterval, double latencyLoad, double latencyRate, Duration latencyDuration,
                     Duration warmup, Duration swapEvery, boolean objectReuse, List<Variant> variants,
                     Duration variantTimeout, java.util.Map<String, String> alt) {

    public BenchSettings {
        if (events < 1 || events > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("events must be in 1.." + Integer.MAX_VALUE + ", was " + events);
        }
        if (entities < 1) {
            throw new IllegalArgumentException("entities must be at least 1, was " + entities);
        }
        if (warmupEvents < 0 || warmupEvents > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("warm-up events must be in 0.." + Integer.MAX_VALUE + ", was "
                    + warmupEvents);
        }
        if (warmupRounds < 1) {
            throw new IllegalArgumentException("warm-up rounds must be at least 1, was " + warmupRounds);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
        }
        if (latencyLoad <= 0 && latencyRate <= 0) {
            throw new IllegalArgumentException("the latency phase needs a load: --latency-load or --latency-rate above 0");
        }
        variants = List.copyOf(variants);
        alt = java.util.Map.copyOf(alt);
        if (variants.contains(Variant.RIFFLE_ALT) && alt.isEmpty()) {
            throw new IllegalArgumentException("the riffle-alt variant needs what to change: --alt KEY=VALUE");
        }
    }

    String delivery() {
        return (exactlyOnce ? ScoringSpec.Delivery.EXACTLY_ONCE : ScoringSpec.Delivery.AT_LEAST_ONCE).spelling();
    }
}

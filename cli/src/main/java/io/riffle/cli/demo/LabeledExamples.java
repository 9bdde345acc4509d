package io.riffle.cli.demo;

import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Feature vectors of a generated payment stream with their ground truth, computed exactly as the
 * pipeline scoring job's keyed feature operator computes them: each
 * {@link io.riffle.schemas.Transaction} in event-time order through the pipeline's
 * {@link FeatureExtractor}, with one {@link EntityFeatureState} per entity key (the card),
 * starting empty as a freshly started job does.
 *
 * @param features one row of the pipeline's features ({@link FeatureExtractor#count()} values) per event
 * @param labels true for fraud
 * @param patterns the pattern behind each event
 * @param eventTimes each event's time (epoch ms), non-decreasing
 */
public record LabeledExamples(float[][] features, boolean[] labels, FraudPattern[] patterns, long[] eventTimes) {

    public LabeledExamples {
        int n = labels.length;
        if (n == 0 || features.length != n || patterns.length != n || eventTimes.length != n) {
            throw new IllegalArgumentException("need at least one row, and as many of each column as rows");
        }
    }

    /** Cards in a generated stream unless told otherwise: as many as the demo's traffic uses. */
    public static final int DEFAULT_CARDS = 20_000;
    /**
     * Mean events per second of a generated stream (exponential gaps), as in the demo: with
     * {@link #DEFAULT_CARDS} cards an average card pays every 40 s, which sets the scale of the
     * per-card count, gap and distinct-count features.
     */
    public static final double DEFAULT_EVENTS_PER_SECOND = 500;
    /** 2026-01-01T00:00:00Z: generated streams start here, so they are reproducible. */
    public static final long DEFAULT_START_MS = 1_767_225_600_000L;

    /** {@code count} events from a fresh generator with the default cards, rate and start. */
    public static LabeledExamples generate(FeatureExtractor features, long seed, int count) {
        return generate(features, seed, count, DEFAULT_CARDS, DEFAULT_EVENTS_PER_SECOND);
    }

    /** {@code count} events from a fresh generator of {@code cards} cards at {@code eventsPerSecond}. */
    public static LabeledExamples generate(FeatureExtractor features, long seed, int count, int cards,
                                           double eventsPerSecond) {
        return generate(features, new TransactionGenerator(seed, cards), seed, count, eventsPerSecond,
                DEFAULT_START_MS, new HashMap<>());
    }

    /**
     * {@code count} events of a fresh generator of {@code cards} cards at {@code eventsPerSecond}
     * that {@linkplain TransactionGenerator#introduceNewFraud() drifts} just before event
     * {@code driftAt} (0-based; {@code driftAt >= count} never drifts, and gives the same rows as
     * {@link #generate(FeatureExtractor, long, int, int, double)}). Rows before {@code driftAt} are
     * identical to the undrifted stream's; {@link #slice} splits the two halves. One stream
     * throughout: the same event gaps, and per-card state carried across the change as the scorer
     * carries it.
     */
    public static LabeledExamples generateWithDrift(FeatureExtractor features, long seed, int count, int cards,
                                                    double eventsPerSecond, int driftAt) {
        if (driftAt < 0) {
            throw new IllegalArgumentException("driftAt must be >= 0, got " + driftAt);
        }
        return generate(features, new TransactionGenerator(seed, cards), seed, count, eventsPerSecond,
                DEFAULT_START_MS, new HashMap<>(), driftAt);
    }

    /** {@link #generateWithDrift(FeatureExtractor, long, int, int, double, int)} with the default cards and rate. */
    public static LabeledExamples generateWithDrift(FeatureExtractor features, long seed, int count, int driftAt) {
        return generateWithDrift(features, seed, count, DEFAULT_CARDS, DEFAULT_EVENTS_PER_SECOND, driftAt);
    }

    /**
     * {@code count} events of {@code generator}, starting after {@code startMs} with exponential
     * gaps of mean {@code 1 / eventsPerSecond}; {@code states} carries each card's
     * {@link EntityFeatureState} across calls (a continuing stream).
     */
    public static LabeledExamples generate(FeatureExtractor features, TransactionGenerator generator, long seed,
                                           int count, double eventsPerSecond, long startMs,
                                           Map<String, EntityFeatureState> states) {
        return generate(features, generator, seed, count, eventsPerSecond, startMs, states, Integer.MAX_VALUE);
    }

    private static LabeledExamples generate(FeatureExtractor features, TransactionGenerator generator, long seed,
                                            int count, double eventsPerSecond, long startMs,
                                            Map<String, EntityFeatureState> states, int driftAt) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be positive, got " + count);
        }
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("events per second must be positive, got " + eventsPerSecond);
        }
        SplittableRandom gaps = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[][] rows = new float[count][];
        boolean[] labels = new boolean[count];
        FraudPattern[] patterns = new FraudPattern[count];
        long[] times = new long[count];
        double meanGapMs = 1000.0 / eventsPerSecond;
        long time = startMs;
        for (int i = 0; i < count; i++) {
            time += (long) (-Math.log(1 - gaps.nextDouble()) * meanGapMs);
            if (i == driftAt) {
                generator.introduceNewFraud();
            }
            GeneratedEvent event = generator.next(time);
            times[i] = time;
            // The scorer keys by the spec's entity key (the card): one state per key, as in keyed state.
            String key = features.entityKey(event.transaction());
            EntityFeatureState state = states.computeIfAbsent(key, k -> features.newState());
            rows[i] = features.extract(event.transaction(), state);
            labels[i] = event.fraud();
            patterns[i] = event.pattern();
        }
        return new LabeledExamples(rows, labels, patterns, times);
    }

    /** Rows {@code [from, to)}. */
    public LabeledExamples slice(int from, int to) {
        if (from < 0 || to > size() || from >= to) {
            throw new IllegalArgumentException("bad slice [" + from + ", " + to + ") of " + size() + " rows");
        }
        return new LabeledExamples(Arrays.copyOfRange(features, from, to), Arrays.copyOfRange(labels, from, to),
                Arrays.copyOfRange(patterns, from, to), Arrays.copyOfRange(eventTimes, from, to));
    }

    /** How many rows {@code pattern} produced. */
    public int count(FraudPattern pattern) {
        int n = 0;
        for (FraudPattern p : patterns) {
            n += p == pattern ? 1 : 0;
        }
        return n;
    }

    public long firstEventTime() {
        return eventTimes[0];
    }

    public long lastEventTime() {
        return eventTimes[eventTimes.length - 1];
    }

    public int size() {
        return labels.length;
    }

    public double positiveRate() {
        int positives = 0;
        for (boolean label : labels) {
            positives += label ? 1 : 0;
        }
        return (double) positives / labels.length;
    }

    /** Width of a row: the pipeline's feature count. */
    public int featureCount() {
        return features[0].length;
    }

    /** The rows flattened row-major, as {@code LoadedModel.score} takes them. */
    public float[] rowMajor() {
        int n = featureCount();
        float[] out = new float[features.length * n];
        for (int r = 0; r < features.length; r++) {
            System.arraycopy(features[r], 0, out, r * n, n);
        }
        return out;
    }
}

package io.riffle.cli.demo;

import io.riffle.modelops.spec.AggregateFeature;
import io.riffle.modelops.spec.Durations;
import io.riffle.modelops.spec.FeatureSpec;
import io.riffle.modelops.spec.RatioFeature;
import io.riffle.modelops.spec.TimeFeature;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a pipeline's features a bootstrap model may learn from, given the few generated
 * minutes it is fitted on. A feature is left out (its weights stay zero) when what it shows in
 * that stream is not what it will show in the demo:
 * <ul>
 *   <li><b>time of day / week</b>: the generator has no daily or weekly cycle, and a model fitted
 *       on a few minutes would read meaning into whatever hour the demo runs at;</li>
 *   <li><b>constant in the training rows</b> (e.g. {@code channel_MOBILE}, which only the
 *       drift's fraud uses, and hash buckets no generated value falls in): there is nothing to
 *       learn, and a weight fitted on nothing would make the first non-zero value move the score
 *       arbitrarily (classifier) or to 1 (anomaly model);</li>
 *   <li><b>a window longer than the training stream</b> (with the demo's 2 minutes, every 1h and
 *       24h aggregate, and ratios to them): such a window holds everything since the stream
 *       began, so counts, distinct counts, maxima and spreads climb with the age of the stream
 *       ({@code count_24h} averages 4 in the first 2 minutes, 14 at minute 5) instead of
 *       describing the card;</li>
 *   <li><b>{@code time_since_previous} with a cap longer than the training stream</b>: a card's
 *       first event gives the cap (24 h), and in the first 2 minutes over a quarter of the events
 *       are some card's first (about 1% at minute 5), so the column says "first payment since
 *       the stream began" rather than measuring a gap; short gaps (card testing) show in
 *       {@code count_1m} too.</li>
 * </ul>
 * The demo's trainers, which fit on its own labelled window while the stream is minutes old,
 * leave out the same kinds of feature except the constant ones ({@link #growingIn}): their
 * standardisation keeps a constant column harmless, and {@code channel_MOBILE} must become
 * learnable when the drift brings it.
 */
final class LearnableFeatures {

    private final boolean[] ignored;
    private final Map<String, String> reasons;

    private LearnableFeatures(boolean[] ignored, Map<String, String> reasons) {
        this.ignored = ignored;
        this.reasons = reasons;
    }

    /** The features of {@code spec} that a model fitted on {@code train} may learn from. */
    static LearnableFeatures of(FeatureSpec spec, LabeledExamples train) {
        List<String> names = spec.names();
        if (train.featureCount() != names.size()) {
            throw new IllegalArgumentException("rows have " + train.featureCount() + " features, the spec "
                    + names.size());
        }
        Duration span = Duration.ofMillis(train.lastEventTime() - train.firstEventTime());
        Map<String, String> why = new LinkedHashMap<>(growingIn(spec, span,
                "the " + span.toSeconds() + " s training stream"));
        float[][] x = train.features();
        for (int i = 0; i < names.size(); i++) {
            boolean constant = true;
            for (int r = 1; r < x.length && constant; r++) {
                constant = x[r][i] == x[0][i];
            }
            if (constant) {
                why.putIfAbsent(names.get(i), "it is " + x[0][i] + " in every training row");
            }
        }
        boolean[] ignored = new boolean[names.size()];
        for (int i = 0; i < ignored.length; i++) {
            ignored[i] = why.containsKey(names.get(i));
        }
        return new LearnableFeatures(ignored, inVectorOrder(names, why));
    }

    /**
     * The features of {@code spec} that grow or drift with the age of a stream no older than
     * {@code age} rather than describe the card (the first, third and fourth kinds above), each
     * with the reason, in vector order; {@code stream} names the stream in the reasons.
     */
    static Map<String, String> growingIn(FeatureSpec spec, Duration age, String stream) {
        Map<String, String> why = new LinkedHashMap<>();
        for (TimeFeature t : spec.timeFeatures()) {
            why.put(t.prefix() + "_sin", "the generator has no daily or weekly cycle");
            why.put(t.prefix() + "_cos", "the generator has no daily or weekly cycle");
        }
        for (AggregateFeature a : spec.aggregates()) {
            if (a.function() == AggregateFeature.Function.TIME_SINCE_PREVIOUS) {
                if (a.cap() != null && a.cap().compareTo(age) > 0) {
                    why.put(a.name(null), "its cap " + Durations.format(a.cap())
                            + " (a card's first event) is longer than " + stream);
                }
                continue;
            }
            for (Duration w : a.windows()) {
                if (w.compareTo(age) > 0) {
                    for (int c = 0; c < a.width(); c++) {     // a count_by has several columns per window
                        why.put(a.name(w, c), "its window is longer than " + stream);
                    }
                }
            }
        }
        for (RatioFeature r : spec.ratios()) {
            for (RatioFeature.Operand o : List.of(r.of(), r.to())) {
                if (!o.isField() && o.window().compareTo(age) > 0) {
                    why.put(r.name(), "it reads a window longer than " + stream);
                }
            }
        }
        return inVectorOrder(spec.names(), why);
    }

    /**
     * The longest window among the aggregates (and ratio operands) of {@code spec} not longer than
     * {@code age}, i.e. those {@link #growingIn} keeps: until a stream is that old, they are still
     * filling. Zero when there is none.
     */
    static Duration longestWindowWithin(FeatureSpec spec, Duration age) {
        Duration longest = Duration.ZERO;
        for (AggregateFeature a : spec.aggregates()) {
            if (a.function() != AggregateFeature.Function.TIME_SINCE_PREVIOUS) {
                for (Duration w : a.windows()) {
                    if (w.compareTo(age) <= 0 && w.compareTo(longest) > 0) {
                        longest = w;
                    }
                }
            }
        }
        for (RatioFeature r : spec.ratios()) {
            for (RatioFeature.Operand o : List.of(r.of(), r.to())) {
                if (!o.isField() && o.window().compareTo(age) <= 0 && o.window().compareTo(longest) > 0) {
                    longest = o.window();
                }
            }
        }
        return longest;
    }

    private static Map<String, String> inVectorOrder(List<String> names, Map<String, String> why) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String n : names) {
            if (why.containsKey(n)) {
                ordered.put(n, why.get(n));
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** {@code ignored()[i]}: feature i is left out. A fresh copy. */
    boolean[] ignored() {
        return ignored.clone();
    }

    /** The left-out features in vector order, each with the reason. */
    Map<String, String> reasons() {
        return reasons;
    }

    /** How many features the models learn from. */
    int used() {
        return ignored.length - reasons.size();
    }
}

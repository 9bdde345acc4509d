package io.riffle.trainer.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** ADWIN on synthetic error streams with known change points. */
class AdwinTest {

    /** Feeds Bernoulli(p) values; returns the 1-based index of the first detection (feeding stops there), or -1. */
    private static long feed(Adwin adwin, SplittableRandom random, double p, int n, List<Double> log) {
        for (int i = 0; i < n; i++) {
            double v = random.nextDouble() < p ? 1 : 0;
            log.add(v);
            if (adwin.add(v)) {
                return i + 1;
            }
        }
        return -1;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double variance(List<Double> values) {
        double m = mean(values);
        return values.stream().mapToDouble(v -> (v - m) * (v - m)).sum() / values.size();
    }

    @Test
    void anAbruptRiseOfTheErrorIsDetectedSoonAfterTheChangeAndNotBefore() {
        for (long seed = 1; seed <= 10; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            Adwin adwin = new Adwin(0.002);
            List<Double> log = new ArrayList<>();
            assertThat(feed(adwin, random, 0.10, 5_000, log)).as("false alarm before the change, seed " + seed).isEqualTo(-1);
            assertThat(adwin.mean()).isCloseTo(0.10, within(0.02));
            long after = feed(adwin, random, 0.40, 2_000, log);
            assertThat(after).as("detection delay after the change, seed " + seed).isBetween(1L, 400L);
            Adwin.Change change = adwin.lastChange();
            assertThat(change.increase()).isTrue();
            assertThat(change.meanBefore()).isCloseTo(0.10, within(0.03));
            assertThat(change.meanAfter()).isGreaterThan(change.meanBefore());
            assertThat(change.dropped() + change.kept()).isEqualTo(5_000 + after);
            // The first detection drops the oldest part; as evidence grows, later checks drop the rest
            // of the old concept, and the window becomes the values since the change.
            for (int i = 0; i < 1_000; i++) {
                adwin.add(random.nextDouble() < 0.40 ? 1 : 0);
            }
            long sinceChange = after + 1_000;
            assertThat(adwin.width()).as("seed " + seed).isBetween(sinceChange / 2, sinceChange + 128);
            assertThat(adwin.mean()).isCloseTo(0.40, within(0.05));
        }
    }

    @Test
    void aStationaryStreamRaisesNoAlarm() {
        for (long seed = 1; seed <= 5; seed++) {
            Adwin adwin = new Adwin(0.002);
            assertThat(feed(adwin, new SplittableRandom(seed), 0.05, 100_000, new ArrayList<>()))
                    .as("seed " + seed).isEqualTo(-1);
            assertThat(adwin.width()).isEqualTo(100_000);
            assertThat(adwin.detections()).isZero();
        }
    }

    @Test
    void aFallOfTheErrorIsADetectionThatIsNotAnIncrease() {
        Adwin adwin = new Adwin(0.002);
        SplittableRandom random = new SplittableRandom(7);
        List<Double> log = new ArrayList<>();
        assertThat(feed(adwin, random, 0.5, 3_000, log)).isEqualTo(-1);
        assertThat(feed(adwin, random, 0.05, 2_000, log)).isPositive();
        assertThat(adwin.lastChange().increase()).isFalse();
    }

    @Test
    void aGradualDriftIsDetectedWhileItHappens() {
        Adwin adwin = new Adwin(0.002);
        SplittableRandom random = new SplittableRandom(3);
        long detectedAt = -1;
        for (int i = 0; i < 20_000 && detectedAt < 0; i++) {
            double p = i < 5_000 ? 0.1 : Math.min(0.6, 0.1 + (i - 5_000) / 10_000.0);
            if (adwin.add(random.nextDouble() < p ? 1 : 0)) {
                detectedAt = i;
            }
        }
        assertThat(detectedAt).isBetween(5_000L, 10_000L);
        assertThat(adwin.lastChange().increase()).isTrue();
    }

    @Test
    void windowStatisticsAreThoseOfTheValuesKept() {
        Adwin adwin = new Adwin(0.002);
        SplittableRandom random = new SplittableRandom(11);
        List<Double> all = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            double v = random.nextDouble() * 0.3;
            all.add(v);
            adwin.add(v);
        }
        assertThat(adwin.width()).isEqualTo(3_000);
        assertThat(adwin.mean()).isCloseTo(mean(all), within(1e-9));
        assertThat(adwin.variance()).isCloseTo(variance(all), within(1e-9));
        boolean detected = false;
        for (int i = 0; i < 3_000 && !detected; i++) {
            double v = 0.5 + random.nextDouble() * 0.5;
            all.add(v);
            detected = adwin.add(v);
        }
        assertThat(detected).isTrue();
        // After dropping whole buckets the window is exactly the newest width() values.
        List<Double> kept = all.subList(all.size() - (int) adwin.width(), all.size());
        assertThat(adwin.mean()).isCloseTo(mean(kept), within(1e-9));
        assertThat(adwin.variance()).isCloseTo(variance(kept), within(1e-9));
        // Out-of-range values are clamped and NaN is ignored.
        long w = adwin.width();
        assertThat(adwin.add(Double.NaN)).isFalse();
        assertThat(adwin.width()).isEqualTo(w);
    }

    @Test
    void memoryGrowsWithTheLogarithmOfTheWindow() {
        Adwin adwin = new Adwin(0.002);
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 1 << 17; i++) {
            adwin.add(random.nextDouble() < 0.2 ? 1 : 0);
        }
        assertThat(adwin.width()).isEqualTo(1 << 17);
        assertThat(adwin.buckets()).isLessThanOrEqualTo(6 * 18);
    }

    @Test
    void resetForgetsTheWindow() {
        Adwin adwin = new Adwin(0.002);
        for (int i = 0; i < 100; i++) {
            adwin.add(0.3);
        }
        adwin.reset();
        assertThat(adwin.width()).isZero();
        assertThat(adwin.mean()).isNaN();
        assertThat(adwin.lastChange()).isNull();
    }
}

package io.riffle.trainer.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentScoresTest {

    @Test
    void ranksAgainstTheHeldScoresWithTiesCountingHalf() {
        RecentScores scores = new RecentScores(10);
        assertThat(scores.shareAbove(0.5f)).isNaN();
        for (float s : new float[] {0.1f, 0.2f, 0.2f, 0.9f}) {
            scores.add(s);
        }
        assertThat(scores.size()).isEqualTo(4);
        assertThat(scores.shareAbove(0.95f)).isEqualTo(0.0);
        assertThat(scores.shareAbove(0.5f)).isEqualTo(0.25);
        assertThat(scores.shareAbove(0.2f)).isEqualTo((1 + 0.5 * 2) / 4.0);
        assertThat(scores.shareAbove(0.0f)).isEqualTo(1.0);
        scores.add(Float.NaN);
        assertThat(scores.size()).isEqualTo(4);
    }

    @Test
    void forgetsTheOldestOnceFullAndMatchesABruteForceCount() {
        RecentScores scores = new RecentScores(50);
        Deque<Float> held = new ArrayDeque<>();
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            // Few distinct values, so ties and removals of duplicates are exercised.
            float s = random.nextInt(20) / 20f;
            scores.add(s);
            held.addLast(s);
            if (held.size() > 50) {
                held.removeFirst();
            }
            float q = random.nextInt(21) / 20f;
            double above = 0;
            for (float h : held) {
                above += h > q ? 1 : h == q ? 0.5 : 0;
            }
            assertThat(scores.size()).isEqualTo(held.size());
            assertThat(scores.shareAbove(q)).isCloseTo(above / held.size(), within(1e-12));
        }
        scores.clear();
        assertThat(scores.size()).isZero();
        assertThat(scores.shareAbove(0.5f)).isNaN();
    }
}

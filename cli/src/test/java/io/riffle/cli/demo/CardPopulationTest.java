package io.riffle.cli.demo;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The synthetic cards: reproducible for a seed, drawn by activity, found by id. */
class CardPopulationTest {

    @Test
    void aSeedGivesTheSameCards() {
        CardPopulation a = new CardPopulation(new SplittableRandom(5), 100);
        CardPopulation b = new CardPopulation(new SplittableRandom(5), 100);
        for (int i = 0; i < 100; i++) {
            String id = String.format("card-%06d", i);
            assertThat(a.byId(id).home).isEqualTo(b.byId(id).home);
            assertThat(a.byId(id).logTypicalUsd).isEqualTo(b.byId(id).logTypicalUsd);
            assertThat(a.byId(id).travel).doesNotContain(a.byId(id).home);
        }
        assertThat(a.pickCard().id).isEqualTo(b.pickCard().id);
    }

    @Test
    void picksFollowTheWeights() {
        CardPopulation cards = new CardPopulation(new SplittableRandom(1), 3);
        int[] counts = new int[3];
        for (int i = 0; i < 30_000; i++) {
            counts[cards.pick(new double[] {1, 2, 6})]++; // cumulative weights 1, 1, 4
        }
        assertThat(counts[2]).isBetween(19_000, 21_000);
        assertThat(counts[0]).isBetween(4_000, 6_000);
    }

    @Test
    void unknownCardsAndEmptyPopulationsAreRefused() {
        assertThatThrownBy(() -> new CardPopulation(new SplittableRandom(1), 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new CardPopulation(new SplittableRandom(1), 2).byId("card-9"))
                .hasMessageContaining("unknown card card-9");
    }
}

package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RocAucTest {

    @Test
    void perfectReversedTiedAndOneClass() {
        boolean[] y = {false, false, true, true};
        assertThat(RocAuc.of(new double[] {0.1, 0.2, 0.8, 0.9}, y)).isEqualTo(1.0);
        assertThat(RocAuc.of(new double[] {0.9, 0.8, 0.2, 0.1}, y)).isEqualTo(0.0);
        assertThat(RocAuc.of(new double[] {0.5, 0.5, 0.5, 0.5}, y)).isEqualTo(0.5);
        assertThat(RocAuc.of(new double[] {0.1, 0.6, 0.4, 0.9}, y)).isEqualTo(0.75);
        assertThat(RocAuc.of(new double[] {0.1, 0.2}, new boolean[] {false, false})).isNaN();
    }
}

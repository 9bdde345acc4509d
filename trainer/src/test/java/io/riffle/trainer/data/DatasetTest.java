package io.riffle.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetTest {

    private final Dataset data = new Dataset(new float[] {1, 2, 3, 4, 5, Float.NaN, 7, 8}, 4, 2, new int[] {0, 1, 0, 1});

    @Test
    void slicesAndFiltersByCopying() {
        Dataset middle = data.slice(1, 3);
        assertThat(middle.rows()).isEqualTo(2);
        assertThat(middle.get(0, 0)).isEqualTo(3f);
        assertThat(middle.get(1, 1)).isNaN();
        middle.x()[0] = 99;
        assertThat(data.get(1, 0)).isEqualTo(3f);

        Dataset positives = data.withLabel(1);
        assertThat(positives.x()).containsExactly(3, 4, 7, 8);
        assertThat(positives.positiveRate()).isEqualTo(1.0);
        assertThat(data.positives()).isEqualTo(2);
        assertThat(data.positiveRate()).isEqualTo(0.5);
        assertThat(data.withLabel(0).rows()).isEqualTo(2);
    }

    @Test
    void rejectsInconsistentShapesAndLabels() {
        assertThatThrownBy(() -> new Dataset(new float[3], 2, 2, new int[2])).hasMessageContaining("need 4 values");
        assertThatThrownBy(() -> new Dataset(new float[2], 1, 2, new int[] {2})).hasMessageContaining("0 or 1");
    }
}

package io.riffle.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassVocabularyTest {

    private static final List<String> WINDOW = Arrays.asList("b", "a", "b", "c", "a", "b", null, "d");

    @Test
    void mostFrequentFirstTiesByLabelNullsAreNoClass() {
        ClassVocabulary v = ClassVocabulary.of(WINDOW, 10);
        assertThat(v.labels()).containsExactly("b", "a", "c", "d");
        assertThat(v.count(0)).isEqualTo(3);
        assertThat(v.count(1)).isEqualTo(2);
        assertThat(v.index("c")).isEqualTo(2);
        assertThat(v.index(null)).isEqualTo(-1);
        assertThat(v.index("zz")).isEqualTo(-1);
        assertThat(v.droppedClasses()).isZero();
    }

    @Test
    void theBoundKeepsTheMostFrequentAndCountsTheRest() {
        ClassVocabulary v = ClassVocabulary.of(WINDOW, 3);
        assertThat(v.labels()).containsExactly("b", "a", "c");
        assertThat(v.droppedClasses()).isEqualTo(1);
        assertThat(v.droppedExamples()).isEqualTo(1);
        assertThat(v.indices(List.of("d", "a", "b"))).containsExactly(-1, 1, 0);
    }

    @Test
    void theSameWindowInAnyOrderGivesTheSameColumns() {
        List<String> shuffled = new java.util.ArrayList<>(WINDOW);
        Collections.reverse(shuffled);
        assertThat(ClassVocabulary.of(shuffled, 3).labels()).isEqualTo(ClassVocabulary.of(WINDOW, 3).labels());
    }
}

package io.riffle.modelops.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.schemas.FeatureVector;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoreBatchTest {

    @Test
    void rowsAreLaidOutRowAfterRowWithTheirIdentities() {
        ScoreBatch batch = new ScoreBatch(2, 3);
        assertThat(batch.isEmpty()).isTrue();
        float[] v = batch.values();
        v[batch.nextOffset()] = 1f;
        v[batch.nextOffset() + 2] = 3f;
        batch.add("e1", "card-1", 10L, 11L, "hash", true, 12L);
        assertThat(batch.nextOffset()).isEqualTo(3);
        batch.add(new FeatureVector("e2", "card-2", 20L, 21L, "hash", List.of(4f, 5f, 6f), null), false, 0L);

        assertThat(batch.isFull()).isTrue();
        assertThat(v).containsExactly(1f, 0f, 3f, 4f, 5f, 6f);
        assertThat(batch.eventId(1)).isEqualTo("e2");
        assertThat(batch.entityId(0)).isEqualTo("card-1");
        assertThat(batch.eventTime(0)).isEqualTo(10L);
        assertThat(batch.ingestTime(1)).isEqualTo(21L);
        assertThat(batch.hasTimestamp(0)).isTrue();
        assertThat(batch.timestamp(0)).isEqualTo(12L);
        assertThat(batch.hasTimestamp(1)).isFalse();
        assertThat(batch.vector(0)).isEqualTo(new FeatureVector("e1", "card-1", 10L, 11L, "hash", List.of(1f, 0f, 3f), null));

        batch.clear();
        assertThat(batch.isEmpty()).isTrue();
        assertThat(batch.nextOffset()).isZero();
    }

    @Test
    void aRowWithoutSpecHashBecomesAVectorWithAnEmptyOne() {
        FeatureVector fv = ScoreBatch.vector("e", "k", 1L, 2L, null, new float[] {9f, 7f, 8f}, 1, 2);
        assertThat(fv.getSpecHash()).isEmpty();
        assertThat(fv.getValues()).containsExactly(7f, 8f);
    }

    @Test
    void anEmptyBatchIsRefused() {
        assertThatThrownBy(() -> new ScoreBatch(0, 3)).hasMessageContaining("at least 1");
    }
}

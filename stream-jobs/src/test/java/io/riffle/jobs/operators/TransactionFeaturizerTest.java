package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.modelops.features.EntityStats;
import io.riffle.modelops.features.TransactionFeatures;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.Transaction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TransactionFeaturizerTest {
    static final Duration TTL = Duration.ofHours(1);
    static final int FIRST = TransactionFeatures.NAMES.indexOf("first_card_event");
    static final int COUNT = TransactionFeatures.NAMES.indexOf("card_count_1m_decayed");

    static DecodedEvent event(String id, String card, long time, double amount) {
        return DecodedEvent.of(Transaction.newBuilder().setEventId(id).setCardId(card).setMerchantId("m")
                .setAmount(amount).setCurrency("EUR").setCountry("DE").setChannel("POS").setMerchantCategory("grocery")
                .setEventTime(time).build(), time + 5);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, DecodedEvent, FeatureVector> harness() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new TransactionFeaturizer(TTL)), (DecodedEvent e) -> e.event.getCardId(),
                Types.STRING);
        h.open();
        return h;
    }

    @Test
    void vectorsMatchTheSharedExtractorWithPerCardState() throws Exception {
        try (var h = harness()) {
            h.processElement(event("a1", "A", 1_000, 10), 1_000);
            h.processElement(event("b1", "B", 1_500, 99), 1_500);
            h.processElement(event("a2", "A", 2_000, 30), 2_000);
            List<FeatureVector> out = h.extractOutputValues();
            assertThat(out).extracting(FeatureVector::getEventId).containsExactly("a1", "b1", "a2");

            EntityStats a = new EntityStats();
            float[] a1 = TransactionFeatures.extract(event("a1", "A", 1_000, 10).event, a);
            float[] a2 = TransactionFeatures.extract(event("a2", "A", 2_000, 30).event, a);
            assertThat(out.get(0).getValues()).containsExactly(box(a1));
            assertThat(out.get(2).getValues()).containsExactly(box(a2));
            assertThat(out.get(1).getValues().get(FIRST)).isEqualTo(1f);   // B's own state, not A's
            assertThat(out.get(2).getValues().get(FIRST)).isEqualTo(0f);
            assertThat(out.get(2).getValues().get(COUNT)).isGreaterThan(0.9f);
            assertThat(out.get(2).getIngestTime()).isEqualTo(2_005L);
            assertThat(out.get(2).getSpecHash()).isEqualTo(TransactionFeatures.SPEC_HASH);
        }
    }

    @Test
    void cardStateIsClearedAfterTheTtl() throws Exception {
        try (var h = harness()) {
            h.setStateTtlProcessingTime(0);
            h.processElement(event("a1", "A", 1_000, 10), 1_000);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            h.processElement(event("a2", "A", 2_000, 10), 2_000);
            // Expired: the card starts over as if never seen.
            assertThat(h.extractOutputValues().get(1).getValues().get(FIRST)).isEqualTo(1f);
        }
    }

    private static Float[] box(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}

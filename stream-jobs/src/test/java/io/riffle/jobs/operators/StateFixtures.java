package io.riffle.jobs.operators;

import io.riffle.modelops.features.DuplicateEvents;
import io.riffle.modelops.features.EntityFeatureState;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/** Entity states built the same way by any release: what a checkpoint of one would hold. */
final class StateFixtures {
    private StateFixtures() {}

    /** The demo's card state after 200 events over hours (slots wrapped and reused), with its recent event ids. */
    static EntityFeatureState demoState() throws Exception {
        PipelineSpec demo = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        FeatureExtractor extractor = FeatureExtractor.of(demo);
        EntityFeatureState state = extractor.newState();
        DuplicateEvents duplicates = new DuplicateEvents(Duration.ofMinutes(30), 64);
        Random random = new Random(29);
        long time = 1_767_225_600_000L;
        for (int i = 0; i < 200; i++) {
            time += random.nextInt(5) == 0 ? random.nextInt(2 * 3_600_000) : random.nextInt(60_000);
            extractor.extract(cardPayment(demo, i, time, random), state);
            duplicates.remember(state, DuplicateEvents.hash("t-" + i), time);
            state.touchedAt = time + 3;
        }
        return state;
    }

    /** Card payment {@code "t-" + i} of card-1 in the demo's schema, its merchant, amount and country drawn from {@code random}. */
    static GenericRecord cardPayment(PipelineSpec demo, int i, long time, Random random) {
        GenericRecord e = new GenericData.Record(demo.eventSchema());
        e.put("eventId", "t-" + i);
        e.put("cardId", "card-1");
        e.put("merchantId", "m-" + random.nextInt(30));
        e.put("amount", 5 + random.nextInt(500) / 3.0);
        e.put("currency", "EUR");
        e.put("country", List.of("DE", "FR", "NL", "ES").get(random.nextInt(4)));
        e.put("channel", "POS");
        e.put("merchantCategory", "5411");
        e.put("eventTime", time);
        return e;
    }

    /** A device state of a spec with count_by counters, top-N keys and sessions, after 300 events partly out of order. */
    static EntityFeatureState countsState(Path dir) throws Exception {
        SpecFeatureRowsTest.load();
        FeatureExtractor extractor = FeatureExtractor.of(EntityFeatureStateSerializerTest.countsAndSessions(dir));
        Random random = new Random(31);
        EntityFeatureState state = extractor.newState();
        long time = 1_767_225_600_000L;
        for (int i = 0; i < 300; i++) {
            time += random.nextInt(10) == 0 ? random.nextInt(20 * 60_000) : random.nextInt(20_000);
            extractor.extract(deviceEvent(i, time, random), state);
            state.touchedAt = time;
        }
        return state;
    }

    /** Event {@code i} of dev-1 in generic-30's schema, a sixth of them up to 8 s late, with a region (or none) for the count_by. */
    static GenericRecord deviceEvent(int i, long time, Random random) {
        GenericRecord e = SpecFeatureRowsTest.event(i, "dev-1", time - (random.nextInt(6) == 0 ? random.nextInt(8_000) : 0), random);
        e.put("region", random.nextInt(7) == 0 ? null : "r" + random.nextInt(6));
        return e;
    }
}

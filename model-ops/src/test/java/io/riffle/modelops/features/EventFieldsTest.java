package io.riffle.modelops.features;

import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import io.riffle.schemas.Transaction;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.riffle.modelops.features.FeatureExtractorTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading key, id, time and numbers by position, and refusals that name the field and the event. */
class EventFieldsTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private PipelineSpec load(String from, String to) throws Exception {
        return SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml").replace(from, to));
    }

    private static EventFields of(PipelineSpec p) {
        return EventFields.of(p.features(), p.events().idField(), p.eventSchema());
    }

    @Test
    void isoEventTime() throws Exception {
        PipelineSpec iso = load("time: {field: ts, unit: epoch-millis}", "time: {field: tsIso, unit: iso-8601}");
        EventFields x = of(iso);
        GenericRecord e = event(iso.eventSchema(), "e1", "u1", 1.0, 1, "DE", true, "A", 6 * HOUR + 1);
        assertThat(x.eventTime(e)).isEqualTo(6 * HOUR + 1);
        e.put("tsIso", "1970-01-01T07:00:00+01:00");
        assertThat(x.eventTime(e)).isEqualTo(6 * HOUR);
        e.put("tsIso", "yesterday");
        assertThatThrownBy(() -> x.eventTime(e)).hasMessageContaining("'tsIso' is 'yesterday', not an ISO-8601 instant");
    }

    @Test
    void epochTimesAndTheirRefusals() throws Exception {
        PipelineSpec millis = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        GenericRecord e = event(millis.eventSchema(), "e1", "u1", 1.0, 1, "DE", true, "A", 6 * HOUR);
        assertThat(of(millis).eventTime(e)).isEqualTo(6 * HOUR);
        e.put("ts", null);
        assertThatThrownBy(() -> of(millis).eventTime(e)).isInstanceOf(FeatureExtractionException.class)
                .hasMessage("event eventId=e1: event-time field 'ts' is missing")
                .extracting(x -> ((FeatureExtractionException) x).field()).isEqualTo("ts");

        PipelineSpec seconds = load("unit: epoch-millis", "unit: epoch-seconds");
        GenericRecord s = event(seconds.eventSchema(), "e2", "u1", 1.0, 1, "DE", true, "A", 1_700_000_000L);
        assertThat(of(seconds).eventTime(s)).isEqualTo(1_700_000_000_000L);
        s.put("ts", Long.MAX_VALUE);
        assertThatThrownBy(() -> of(seconds).eventTime(s))
                .hasMessage("event eventId=e2: event-time field 'ts' is " + Long.MAX_VALUE + ", not a time in epoch seconds");
    }

    @Test
    void keyAndIdAreReadByPositionAndDescribeTheEvent() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        EventFields x = of(p);
        GenericRecord e = event(p.eventSchema(), "e1", "u1", 1.0, 1, "DE", true, "A", HOUR);
        assertThat(x.entityKey(e)).isEqualTo("u1");
        assertThat(x.eventId(e)).isEqualTo("e1");
        assertThat(x.idField()).isEqualTo("eventId");
        assertThat(x.keyField()).isEqualTo("userId");
        e.put("userId", null);
        assertThatThrownBy(() -> x.entityKey(e)).hasMessage("event eventId=e1: entity key field 'userId' is missing");
        e.put("eventId", null);
        e.put("userId", "u1");
        assertThat(x.eventId(e)).isNull();
        assertThat(x.describe(e)).as("no id: the entity and the time").isEqualTo("event of userId=u1 at ts=" + HOUR);

        // without an id field
        EventFields noId = EventFields.of(p.features(), null, p.eventSchema());
        assertThat(noId.eventId(e)).isNull();
        assertThat(noId.idField()).isNull();
    }

    @Test
    void numbersObeyTheMissingRuleAndMustFitAFloat() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        EventFields x = new EventFields(p.features(), "eventId", new String[] {"ts", "userId", "eventId", "amount"},
                p.eventSchema());
        GenericRecord e = event(p.eventSchema(), "e1", "u1", 12.5, 1, "DE", true, "A", HOUR);
        int[] pos = x.positions(e);
        assertThat(x.number(e, pos, 3, MissingRule.ERROR)).isEqualTo(12.5);
        e.put("amount", null);
        assertThat(x.number(e, pos, 3, MissingRule.value(-1))).isEqualTo(-1.0);
        assertThatThrownBy(() -> x.number(e, pos, 3, MissingRule.ERROR))
                .hasMessageContaining("event eventId=e1: field 'amount' is missing and its feature has no missing rule");
        e.put("amount", 1e300);
        assertThatThrownBy(() -> x.number(e, pos, 3, MissingRule.ERROR)).hasMessageContaining("which does not fit a float");
        e.put("amount", "x".repeat(50));
        assertThatThrownBy(() -> x.number(e, pos, 3, MissingRule.ERROR))
                .hasMessageEndingWith("should be a number but is String '" + "x".repeat(40) + "...'");
    }

    @Test
    void positionsFollowARecordOfAnotherSchemaInstance() throws Exception {
        // the demo pipeline over the generated Transaction class (SpecificRecord, its own Schema instance)
        PipelineSpec demo = PipelineSpec.load(Path.of("../pipelines/demo.yaml"));
        EventFields x = of(demo);
        Transaction t = Transaction.newBuilder().setEventId("t1").setCardId("c1").setMerchantId("m1").setAmount(42.0)
                .setCurrency("EUR").setCountry("DE").setChannel("ONLINE").setMerchantCategory("5411").setEventTime(HOUR).build();
        assertThat(x.entityKey(t)).isEqualTo("c1");
        assertThat(x.eventTime(t)).isEqualTo(HOUR);
        assertThat(x.eventId(t).toString()).isEqualTo("t1");
    }
}

package io.riffle.modelops.privacy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PseudonymizerTest {

    static final Schema SCHEMA = SchemaBuilder.record("Event").fields()
            .requiredString("eventId").requiredString("cardId").optionalString("email").requiredLong("phone")
            .optionalLong("zip").requiredDouble("amount").endRecord();

    final PiiHasher hasher = new PiiHasher(PiiHasherTest.KEY);
    final Pseudonymizer privacy = new Pseudonymizer(hasher, List.of("cardId", "email", "phone", "zip"));

    static GenericRecord event() {
        GenericRecord e = new GenericData.Record(SCHEMA);
        e.put("eventId", "e-1");
        e.put("cardId", "card-42");
        e.put("email", "ann@example.com");
        e.put("phone", 5551234L);
        e.put("zip", 10115L);
        e.put("amount", 12.5);
        return e;
    }

    @Test
    void aJsonCopyCarriesTokensInEveryHashedField() {
        GenericRecord e = event();
        GenericRecord copy = privacy.pseudonymized(e, true);
        assertThat(copy.get("cardId")).isEqualTo(hasher.token("card-42"));
        assertThat(copy.get("email")).isEqualTo(hasher.token("ann@example.com"));
        assertThat(copy.get("phone")).isEqualTo(hasher.token("5551234"));
        assertThat(copy.get("amount")).isEqualTo(12.5);
        assertThat(e.get("cardId")).as("the event itself is untouched").isEqualTo("card-42");
        String json = GenericData.get().toString(copy);
        assertThat(json).doesNotContain("card-42", "ann@example.com", "5551234", "10115")
                .contains("\"phone\": \"" + hasher.token("5551234") + "\"");
    }

    @Test
    void anAvroCopyDropsWhatCannotHoldAToken() {
        GenericRecord copy = privacy.pseudonymized(event(), false);
        assertThat(copy.get("cardId")).isEqualTo(hasher.token("card-42"));
        assertThat(copy.get("email")).as("a nullable string").isEqualTo(hasher.token("ann@example.com"));
        assertThat(copy.get("zip")).as("a number cannot hold a token").isNull();
        assertThat(copy.get("phone")).isNull();
    }

    @Test
    void messagesCarryTokensInsteadOfClearValues() {
        String m = privacy.scrub("duplicate event id: eventId=e-1 was already scored for cardId=card-42 (ann@example.com)",
                event(), "card-42");
        assertThat(m).isEqualTo("duplicate event id: eventId=e-1 was already scored for cardId=" + hasher.token("card-42")
                + " (" + hasher.token("ann@example.com") + ")");
    }

    @Test
    void aValueInsideAnotherIsReplacedOnce() {
        Pseudonymizer p = new Pseudonymizer(hasher, List.of("cardId"));
        String m = p.scrub("card=card-4 and card-42", null, "card-4", "card-42");
        assertThat(m).isEqualTo("card=" + hasher.token("card-4") + " and " + hasher.token("card-42"));
    }

    @Test
    void anUndecodedRecordsComplaintAboutAHashedFieldDoesNotQuoteIt() {
        String m = privacy.scrubUndecoded("Event field 'email' expected a string, got {\"a\":\"ann@example.com\"}", "card-42");
        assertThat(m).isEqualTo("Event field 'email' is not valid (the details would quote its value, which is personal"
                + " data: privacy.pii)");
        assertThat(privacy.scrubUndecoded("cannot decode Event from JSON: Unrecognized token 'card-42'", "card-42"))
                .isEqualTo("cannot decode Event from JSON: Unrecognized token '" + hasher.token("card-42") + "'");
        assertThat(privacy.scrubUndecoded("Event field 'amount' expected a number, got \"x\"", null))
                .isEqualTo("Event field 'amount' expected a number, got \"x\"");
    }
}

package io.riffle.modelops.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code privacy:} section: PII fields checked against the schema, a key long enough, never shown. */
class PrivacySpecTest {

    @TempDir
    Path dir;

    static final String KEY = "k3y-0f-at-least-16-bytes";

    private static final String REST = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
              fields:
                - numeric: amount
                - categorical: country
                  hash: 8
            """;

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = SpecFixtures.write(dir, yaml);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.errors();
    }

    @Test
    void theSectionIsRead() throws Exception {
        PipelineSpec spec = SpecFixtures.load(dir, REST + """
                privacy:
                  pii: [country, quantity]
                  key: %s
                """.formatted(KEY));
        PrivacySpec privacy = spec.privacy();
        assertThat(privacy.pii()).containsExactly("country", "quantity");
        assertThat(privacy.key()).isEqualTo(KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(privacy.hashedFields("userId")).as("the entity key is always hashed, and first")
                .containsExactly("userId", "country", "quantity");
    }

    @Test
    void withoutTheSectionNothingIsHashed() throws Exception {
        assertThat(SpecFixtures.load(dir, REST).privacy()).isNull();
    }

    @Test
    void theEntityKeyListedIsHashedOnce() throws Exception {
        PipelineSpec spec = SpecFixtures.load(dir, REST + "privacy: {pii: [userId], key: " + KEY + "}\n");
        assertThat(spec.privacy().hashedFields("userId")).containsExactly("userId");
    }

    @Test
    void theKeyIsNeverShown() throws Exception {
        PipelineSpec spec = SpecFixtures.load(dir, REST + "privacy: {pii: [country], key: " + KEY + "}\n");
        assertThat(spec.privacy().toString()).doesNotContain(KEY).contains("country", "not shown");
        assertThat(spec.toString()).doesNotContain(KEY);
    }

    @Test
    void aMissingKeyIsAnError() throws Exception {
        List<SpecError> all = errors(REST + """
                privacy:
                  pii: [country]
                """);
        assertThat(all).hasSize(1);
        assertThat(all.get(0).path()).isEqualTo("privacy.key");
        assertThat(all.get(0).message()).contains("missing required key 'key'");
        assertThat(all.get(0).line()).as("the section").isEqualTo(11);
    }

    @Test
    void anEmptySectionNeedsAKeyToo() throws Exception {
        List<SpecError> all = errors(REST + "privacy:\n");
        assertThat(all).extracting(SpecError::path).containsExactly("privacy.key");
    }

    @Test
    void aShortKeyIsAnErrorThatDoesNotQuoteIt() throws Exception {
        List<SpecError> all = errors(REST + """
                privacy:
                  pii: [country]
                  key: s3cr3t-shorty
                """);
        assertThat(all).hasSize(1);
        SpecError e = all.get(0);
        assertThat(e.path()).isEqualTo("privacy.key");
        assertThat(e.line()).isEqualTo(13);
        assertThat(e.column()).isEqualTo(8);
        assertThat(e.message()).contains("13 bytes", "at least 16").doesNotContain("s3cr3t");
        assertThat(e.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void anUnknownPiiFieldIsAnErrorWithItsPlace() throws Exception {
        List<SpecError> all = errors(REST + """
                privacy:
                  pii: [country, emial]
                  key: %s
                """.formatted(KEY));
        assertThat(all).hasSize(1);
        SpecError e = all.get(0);
        assertThat(e.path()).isEqualTo("privacy.pii[1]");
        assertThat(e.line()).isEqualTo(12);
        assertThat(e.column()).isEqualTo(18);
        assertThat(e.message()).contains("field 'emial' is not in the event schema ShopEvent");
    }

    @Test
    void theEventIdAndTimeCannotBePii() throws Exception {
        List<SpecError> all = errors(REST + """
                privacy:
                  pii: [eventId, ts, country, country]
                  key: %s
                """.formatted(KEY));
        assertThat(all).extracting(SpecError::path).containsExactly("privacy.pii[0]", "privacy.pii[1]", "privacy.pii[3]");
        assertThat(all.get(0).message()).contains("event id");
        assertThat(all.get(1).message()).contains("event time");
        assertThat(all.get(2).message()).contains("listed twice");
    }

    @Test
    void anUnknownKeyInTheSection() throws Exception {
        List<SpecError> all = errors(REST + "privacy: {pii: [country], key: " + KEY + ", salt: x}\n");
        assertThat(all).extracting(SpecError::path).containsExactly("privacy.salt");
    }
}

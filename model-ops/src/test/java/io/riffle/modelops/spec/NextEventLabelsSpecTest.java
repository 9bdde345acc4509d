package io.riffle.modelops.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code labels: {from-next-event: {field, within}}}: labels taken from each entity's next event. */
class NextEventLabelsSpecTest {

    @TempDir
    Path dir;

    /** valid.yaml (which has no labels section) followed by {@code labels}. */
    private static String withLabels(String labels) throws Exception {
        return SpecFixtures.resource("valid.yaml") + labels;
    }

    private List<SpecError> errors(String yaml) throws Exception {
        Path file = SpecFixtures.write(dir, yaml);
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).as("expected the file to be refused").isNotNull();
        return e.errors();
    }

    private static int lineOf(String yaml, String text) {
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line contains " + text);
    }

    @Test
    void fromNextEventGivesTheFieldAndTheWindow() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, withLabels("""
                labels:
                  from-next-event: {field: country, within: 30m}
                """));
        assertThat(p.labels().nextEventLabels()).isTrue();
        assertThat(p.labels().fromNextEvent()).isEqualTo(new LabelsSpec.NextEvent("country", Duration.ofMinutes(30)));
        // the labels topic's settings keep their defaults (nothing reads them)
        assertThat(p.labels().format()).isEqualTo(DataFormat.AVRO);
        assertThat(p.labels().implicitNegatives()).isFalse();
    }

    @Test
    void binaryLabelsAreAsBefore() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, withLabels("""
                labels: {format: json, event-id: id, label: fraud, max-delay: 5m, implicit-negative-after: 1m}
                """));
        assertThat(p.labels()).isEqualTo(new LabelsSpec(DataFormat.JSON, "id", "fraud", Duration.ofMinutes(5),
                Duration.ofMinutes(1)));
        assertThat(p.labels().nextEventLabels()).isFalse();
        assertThat(p.labels().fromNextEvent()).isNull();
        assertThat(LabelsSpec.defaults().nextEventLabels()).isFalse();
    }

    @Test
    void anIntegerOrEnumFieldIsAllowed() throws Exception {
        assertThat(SpecFixtures.load(dir, withLabels("labels: {from-next-event: {field: kind, within: 90s}}\n"))
                .labels().fromNextEvent().field()).isEqualTo("kind");
        assertThat(SpecFixtures.load(dir, withLabels("labels: {from-next-event: {field: quantity, within: 1h}}\n"))
                .labels().fromNextEvent().within()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aFieldNotInTheSchemaIsNamedWithFileLineAndColumn() throws Exception {
        String yaml = withLabels("""
                labels:
                  from-next-event: {field: item_id, within: 30m}
                """);
        List<SpecError> all = errors(yaml);
        assertThat(all).hasSize(1);
        SpecError e = all.get(0);
        assertThat(e.file()).endsWith("pipeline.yaml");
        assertThat(e.line()).isEqualTo(lineOf(yaml, "item_id"));
        assertThat(e.column()).isEqualTo("  from-next-event: {field: ".length() + 1);
        assertThat(e.path()).isEqualTo("labels.from-next-event.field");
        assertThat(e.message()).contains("field 'item_id' is not in the event schema ShopEvent", "eventId, userId");
    }

    @Test
    void aFieldOfTheWrongTypeIsRefused() throws Exception {
        SpecError e = errors(withLabels("labels: {from-next-event: {field: amount, within: 30m}}\n")).get(0);
        assertThat(e.path()).isEqualTo("labels.from-next-event.field");
        assertThat(e.message()).contains("a label taken from the next event needs a field of type", "'amount' is double");
    }

    @Test
    void withinMustBeAPositiveDuration() throws Exception {
        String yaml = withLabels("""
                labels:
                  from-next-event:
                    field: country
                    within: 0s
                """);
        SpecError zero = errors(yaml).get(0);
        assertThat(zero.path()).isEqualTo("labels.from-next-event.within");
        assertThat(zero.line()).isEqualTo(lineOf(yaml, "within: 0s"));
        assertThat(zero.message()).contains("must be above 0");

        SpecError bare = errors(withLabels("labels: {from-next-event: {field: country, within: 30}}\n")).get(0);
        assertThat(bare.path()).isEqualTo("labels.from-next-event.within");
        assertThat(bare.message()).contains("'30' is not a duration");
    }

    @Test
    void fieldAndWithinAreRequired() throws Exception {
        List<SpecError> all = errors(withLabels("labels: {from-next-event: {}}\n"));
        assertThat(all).extracting(SpecError::path)
                .containsExactlyInAnyOrder("labels.from-next-event.field", "labels.from-next-event.within");
        assertThat(all).allSatisfy(e -> assertThat(e.message()).startsWith("missing required key"));

        List<SpecError> typo = errors(withLabels("labels: {from-next-event: {field: country, within: 5m, whithin: 1m}}\n"));
        assertThat(typo).singleElement().satisfies(e -> assertThat(e.message()).contains("unknown key 'whithin'",
                "allowed here: field, within"));
    }

    @Test
    void labelsTopicSettingsAreRefusedWithFromNextEvent() throws Exception {
        String yaml = withLabels("""
                labels:
                  format: json
                  from-next-event: {field: country, within: 30m}
                  implicit-negative-after: 1h
                  max-delay: 2h
                """);
        List<SpecError> all = errors(yaml);
        assertThat(all).extracting(SpecError::path)
                .containsExactly("labels.format", "labels.implicit-negative-after", "labels.max-delay");
        assertThat(all.get(0).line()).isEqualTo(lineOf(yaml, "format: json"));
        assertThat(all.get(0).column()).isEqualTo(3);
        assertThat(all).allSatisfy(e -> assertThat(e.message()).contains("is a setting of the labels topic",
                "not read when labels come from the next event (from-next-event): remove it"));
        assertThat(all.get(2).message()).contains("from-next-event.within");

        List<SpecError> ids = errors(withLabels("labels: {event-id: id, label: y, from-next-event: {field: country, within: 1m}}\n"));
        assertThat(ids).extracting(SpecError::path).containsExactly("labels.event-id", "labels.label");
    }
}

package io.riffle.modelops.features;

import io.riffle.modelops.features.ColumnPlan.Column;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import io.riffle.modelops.spec.TimeFeature;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.riffle.modelops.features.FeatureExtractorTest.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** One event's own columns, through valid.yaml's plan: each writes its columns and returns the next offset. */
class FieldTransformsTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private PipelineSpec pipeline;
    private ColumnPlan plan;
    private FieldTransforms transforms;

    @BeforeEach
    void setUp() throws Exception {
        pipeline = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        plan = new ColumnPlan(pipeline.features(), pipeline.eventSchema(), pipeline.events().idField());
        transforms = new FieldTransforms(plan.fields);
    }

    private GenericRecord event(Object amount, Integer quantity, String country, boolean online, String kind) {
        return FeatureExtractorTest.event(pipeline.eventSchema(), "e1", "u1", amount, quantity, country, online, kind, HOUR);
    }

    @Test
    void numericIsClippedTransformedAndFlagged() {
        GenericRecord e = event(5000.0, null, "DE", true, "A");
        int[] pos = plan.fields.positions(e);
        float[] out = new float[3];
        Column amount = plan.columns[0];
        assertThat(transforms.numeric(e, pos, amount, out, 0)).isEqualTo(1);
        assertThat(out[0]).isCloseTo((float) Math.log1p(1000), within(1e-6f)); // clipped first
        Column quantity = plan.columns[1];
        assertThat(transforms.numeric(e, pos, quantity, out, 1)).as("value and missing flag").isEqualTo(3);
        assertThat(out[1]).isZero();
        assertThat(out[2]).isEqualTo(1f);
        assertThat(FieldTransforms.transform(-Math.E + 1, true)).as("signed log1p").isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void booleansAndTheirWrongTypes() {
        GenericRecord e = event(1.0, 1, "DE", false, "A");
        int[] pos = plan.fields.positions(e);
        float[] out = {7f};
        assertThat(transforms.bool(e, pos, plan.columns[2], out, 0)).isEqualTo(1);
        assertThat(out[0]).isZero();
        e.put("online", "yes");
        assertThatThrownBy(() -> transforms.bool(e, pos, plan.columns[2], out, 0))
                .isInstanceOf(FeatureExtractionException.class)
                .hasMessage("event eventId=e1: field 'online' should be a boolean but is String 'yes'");
    }

    @Test
    void categoricalsHashOrOneHotAndDecodedStringsGiveTheSameColumns() {
        GenericRecord e = event(1.0, 1, "DE", true, "B");
        int[] pos = plan.fields.positions(e);
        float[] out = new float[7];
        java.util.Arrays.fill(out, 9f);
        assertThat(FieldTransforms.categorical(e, pos, plan.columns[3], out, 0)).isEqualTo(4);
        assertThat(FieldTransforms.categorical(e, pos, plan.columns[4], out, 4)).isEqualTo(7);
        float[] expected = new float[7];
        expected[TextHashes.bucket("DE", 4)] = 1f;
        expected[4 + 1] = 1f;
        assertThat(out).containsExactly(expected);

        e.put("country", new Utf8("DE"));
        e.put("kind", new GenericData.EnumSymbol(pipeline.eventSchema().getField("kind").schema(), "C"));
        FieldTransforms.categorical(e, pos, plan.columns[3], out, 0);
        FieldTransforms.categorical(e, pos, plan.columns[4], out, 4);
        expected[4 + 1] = 0f;
        expected[4 + 2] = 1f; // "other"
        assertThat(out).containsExactly(expected);
        e.put("country", null);
        FieldTransforms.categorical(e, pos, plan.columns[3], out, 0);
        assertThat(java.util.Arrays.copyOf(out, 4)).as("missing: no bucket").containsOnly(0f);
    }

    @Test
    void timeCyclesOfDayAndWeek() {
        float[] out = new float[4];
        // 1970-01-01 was a Thursday: 06:00 that day is 3.25 days after Monday 00:00
        assertThat(FieldTransforms.time(TimeFeature.HOUR_OF_DAY, 6 * HOUR, out, 0)).isEqualTo(2);
        assertThat(FieldTransforms.time(TimeFeature.DAY_OF_WEEK, 6 * HOUR, out, 2)).isEqualTo(4);
        assertThat(out[0]).isCloseTo(1f, within(1e-6f));
        assertThat(out[1]).isCloseTo(0f, within(1e-6f));
        double weekAngle = 2 * Math.PI * 3.25 / 7;
        assertThat(out[2]).isCloseTo((float) Math.sin(weekAngle), within(1e-6f));
        assertThat(out[3]).isCloseTo((float) Math.cos(weekAngle), within(1e-6f));
        // before 1970 too (floorMod): 18:00 the day before is a quarter turn back
        FieldTransforms.time(TimeFeature.HOUR_OF_DAY, -6 * HOUR, out, 0);
        assertThat(out[0]).isCloseTo(-1f, within(1e-6f));
    }
}

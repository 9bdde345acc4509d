package io.riffle.modelops.features;

import io.riffle.modelops.features.ColumnPlan.Column;
import io.riffle.modelops.features.ColumnPlan.Kind;
import io.riffle.modelops.features.ColumnPlan.OneHot;
import io.riffle.modelops.features.ColumnPlan.Ratio;
import io.riffle.modelops.spec.MissingRule;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plan of valid.yaml's vector: columns in the spec's order, inputs shared, sketches only where read. */
class ColumnPlanTest {

    @TempDir
    Path dir;

    private ColumnPlan plan(String yaml) throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, yaml);
        return new ColumnPlan(p.features(), p.eventSchema(), p.events().idField());
    }

    @Test
    void columnsFollowTheSpecAndFieldsAreIndexedOnce() throws Exception {
        ColumnPlan plan = plan(SpecFixtures.resource("valid.yaml"));
        assertThat(Arrays.stream(plan.columns).map(Column::kind)).containsExactly(
                Kind.NUMERIC, Kind.NUMERIC, Kind.BOOL, Kind.CATEGORICAL, Kind.CATEGORICAL, Kind.TIME, Kind.TIME,
                Kind.AGGREGATE, Kind.AGGREGATE, Kind.AGGREGATE, Kind.AGGREGATE, Kind.AGGREGATE, Kind.AGGREGATE,
                Kind.TIME_SINCE_PREVIOUS, Kind.RATIO);
        // time, key and id come first, then the fields in the order the spec reads them
        assertThat(plan.fields.name(0)).isEqualTo("ts");
        assertThat(plan.fields.name(1)).isEqualTo("userId");
        assertThat(plan.fields.name(2)).isEqualTo("eventId");
        assertThat(plan.fields.name(plan.columns[0].field())).isEqualTo("amount");
        assertThat(plan.columns[5].field()).as("time features read the time field").isZero();

        // sum(amount), std(amount) and the ratio's mean(amount) share one aggregated input
        assertThat(plan.aggField).hasSize(1);
        assertThat(plan.fields.name(plan.aggField[0])).isEqualTo("amount");
        assertThat(plan.aggMissing).containsExactly(MissingRule.ERROR);
        // distinct(country) is read in the 1h window only: only that ring keeps its sketch
        assertThat(plan.fields.name(plan.distinctField[0])).isEqualTo("country");
        assertThat(plan.ringDistinct[0]).isEmpty();
        assertThat(plan.ringDistinct[1]).containsExactly(0);

        Ratio ratio = (Ratio) plan.columns[14].feature();
        assertThat(plan.fields.name(ratio.of()[0])).isEqualTo("amount");
        assertThat(ratio.to()).containsExactly(-1, 1, 0, io.riffle.modelops.spec.AggregateFeature.Function.MEAN.ordinal());
    }

    @Test
    void aOneHotVocabularyFindsStringsAndDecodedUtf8Alike() throws Exception {
        ColumnPlan plan = plan(SpecFixtures.resource("valid.yaml"));
        OneHot kind = (OneHot) plan.columns[4].feature();
        assertThat(kind.size()).isEqualTo(2);
        assertThat(kind.index().get("B")).isEqualTo(1);
        assertThat(kind.index().get(new Utf8("B"))).isEqualTo(1);
        assertThat(kind.index().get("C")).isNull();
    }

    @Test
    void aFieldTheSchemaLacksIsNamedWhenThePlanIsMade() throws Exception {
        PipelineSpec p = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        org.apache.avro.Schema other = org.apache.avro.SchemaBuilder.record("Other").fields()
                .requiredString("userId").requiredLong("ts").endRecord();
        assertThatThrownBy(() -> new ColumnPlan(p.features(), other, p.events().idField()))
                .isInstanceOf(FeatureExtractionException.class)
                .hasMessageContaining("records of schema Other have no field 'eventId' that the feature spec reads");
    }
}

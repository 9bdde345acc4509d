package io.riffle.modelops.features;

import io.riffle.modelops.spec.AggregateFeature.Function;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.SpecFixtures;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WindowedAggregates} alone, over valid.yaml (windows 1m and 1h, 10 buckets, lateness 30s):
 * ring layout, a state's preparation, and reading a window before adding the event to it.
 * (Randomized streams against brute force: {@link WindowedAggregatesTest}, through the facade.)
 */
class WindowedAggregatesRingsTest {

    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private PipelineSpec pipeline;
    private ColumnPlan plan;
    private WindowedAggregates aggregates;

    @BeforeEach
    void setUp() throws Exception {
        pipeline = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml"));
        plan = new ColumnPlan(pipeline.features(), pipeline.eventSchema(), pipeline.events().idField());
        aggregates = new WindowedAggregates(pipeline.features().stateWindows(), pipeline.features().buckets(),
                pipeline.events().allowedLateness(), plan);
    }

    private GenericRecord event(String id, double amount, String country, long t) {
        return FeatureExtractorTest.event(pipeline.eventSchema(), id, "u1", amount, 1, country, true, "A", t);
    }

    /** Reads, queries and adds one event; returns the work arrays holding its windows. */
    private AggregateScratch step(EntityFeatureState s, GenericRecord e, long t) {
        AggregateScratch work = aggregates.scratch();
        aggregates.read(e, plan.fields.positions(e), work);
        aggregates.query(s, t, work);
        aggregates.add(s, t, work);
        return work;
    }

    @Test
    void ringsAreSizedForTheBucketsAndTheLateness() {
        // width = W / 10; slots = 10 + 1 + ceil(30 s / width): 1m → 6 s wide, 16 slots; 1h → 6 min wide, 12 slots
        assertThat(aggregates.bucketWidthMillis(0)).isEqualTo(6_000);
        assertThat(aggregates.bucketWidthMillis(1)).isEqualTo(360_000);
        assertThat(aggregates.slots()).isEqualTo(16 + 12);
        EntityFeatureState s = aggregates.newState();
        assertThat(s.slots).isEqualTo(28);
        assertThat(s.size).isZero();
        // one aggregated input (amount): 4 doubles per entry; one distinct field in the 1h ring: 4 words per entry
        assertThat(s.entryValues).isEqualTo(WindowStats.STATS);
        assertThat(s.entryWords).isEqualTo(DistinctSketch.WORDS);
        // the slot map (two slots per long), then room for a few entries of bucket id, count, values and words
        assertThat(s.stride()).isEqualTo(2 + WindowStats.STATS + DistinctSketch.WORDS);
        assertThat(s.data).hasSize(14 + s.capacity() * s.stride());
        assertThat(s.capacity()).isBetween(1, 8);
    }

    @Test
    void aFreshStateIsAllocatedAndAnotherSpecsStateRefused() throws Exception {
        EntityFeatureState fresh = new EntityFeatureState();
        aggregates.prepare(fresh);
        assertThat(fresh.slots).isEqualTo(aggregates.slots());
        assertThat(fresh.data).isNotNull();

        PipelineSpec other = SpecFixtures.load(dir, SpecFixtures.resource("valid.yaml").replace("buckets: 10", "buckets: 5"));
        EntityFeatureState foreign = FeatureExtractor.of(other).newState();
        assertThatThrownBy(() -> aggregates.prepare(foreign)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("layout of another feature spec");
    }

    @Test
    void aWindowIsReadWithTheEventBeforeItIsAdded() {
        EntityFeatureState s = aggregates.newState();
        AggregateScratch first = step(s, event("e1", 10, "DE", T0), T0);
        assertThat(first.windows[0].value(Function.COUNT, 0)).isEqualTo(1);
        assertThat(s.events).isEqualTo(1);
        assertThat(s.newestTime).isEqualTo(T0);

        step(s, event("e2", 30, "FR", T0 + 1_000), T0 + 1_000);
        // 2 minutes on: out of the 1m window, still in the 1h one
        AggregateScratch third = step(s, event("e3", 20, "FR", T0 + 120_000), T0 + 120_000);
        assertThat(third.windows[0].value(Function.COUNT, 0)).isEqualTo(1);
        assertThat(third.windows[1].value(Function.COUNT, 0)).isEqualTo(3);
        assertThat(third.windows[1].value(Function.SUM, 0)).isEqualTo(60);
        assertThat(third.windows[1].value(Function.MAX, 0)).isEqualTo(30);
        assertThat(third.windows[1].value(Function.DISTINCT, 0)).isBetween(1.9, 2.1);
        assertThat(aggregates.lateEvents()).isZero();

        // 40 s behind the newest: beyond the 30 s lateness, counted
        step(s, event("e4", 1, "DE", T0 + 80_000), T0 + 80_000);
        assertThat(aggregates.lateEvents()).isEqualTo(1);
        assertThat(s.events).isEqualTo(4);
        assertThat(s.newestTime).as("a late event does not move the newest time back").isEqualTo(T0 + 120_000);
    }

    @Test
    void aBadInputIsRefusedBeforeAnythingIsAdded() {
        EntityFeatureState s = aggregates.newState();
        step(s, event("e1", 10, "DE", T0), T0);
        EntityFeatureState before = s.copy();
        GenericRecord bad = event("e2", 1, "DE", T0 + 1);
        bad.put("amount", null);
        assertThatThrownBy(() -> aggregates.read(bad, plan.fields.positions(bad), aggregates.scratch()))
                .isInstanceOf(FeatureExtractionException.class).hasMessageContaining("'amount' is missing");
        assertThat(s).isEqualTo(before);
    }
}

package io.riffle.jobs.operators;

import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.schemas.FeatureVector;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code FeatureVector.labelValue}: the labels.from-next-event field of each event, as text, filled
 * by the scorer's feature stage; null (never a failure) when the event has no value there, and
 * null on every vector when the pipeline takes its labels from a topic.
 */
class SpecFeatureRowsLabelValueTest {

    @BeforeAll
    static void load() throws Exception {
        SpecFeatureRowsTest.load();
    }

    static SpecFeatureRows rows(String labelValueField) {
        var spec = SpecFeatureRowsTest.spec;
        return new SpecFeatureRows(FeatureExtractor.of(spec), SpecFeatureRows.stateTtl(spec), spec.events().format(),
                true, null, null, labelValueField);
    }

    static List<FeatureVector> vectorsOf(SpecFeatureRows rows) throws Exception {
        Random random = new Random(7);
        try (var h = SpecFeatureRowsTest.harness(rows)) {
            for (int i = 0; i < 10; i++) {
                GenericRecord e = SpecFeatureRowsTest.event(i, "dev-1", SpecFeatureRowsTest.BASE + i * 1_000L, random);
                h.processElement1(new StreamRecord<>(SpecFeatureRowsTest.decoded(e, i)));
            }
            assertThat(h.getSideOutput(BatchingScorer.DEAD_LETTERS)).as("no dead letters").isNullOrEmpty();
            return new ArrayList<>(SpecFeatureRowsTest.features(h));
        }
    }

    @Test
    void eachVectorCarriesItsEventsFieldAsText() throws Exception {
        List<FeatureVector> vectors = vectorsOf(rows("region"));
        assertThat(vectors).hasSize(10);
        // event(i): region null when i % 5 == 0, else north, south, east, west by i % 4
        assertThat(vectors).extracting(FeatureVector::getLabelValue).containsExactly(
                null, "south", "east", "west", "north", null, "east", "west", "north", "south");
    }

    @Test
    void withoutFromNextEventNoVectorCarriesALabelValue() throws Exception {
        assertThat(vectorsOf(rows(null))).hasSize(10).extracting(FeatureVector::getLabelValue).containsOnlyNulls();
    }
}

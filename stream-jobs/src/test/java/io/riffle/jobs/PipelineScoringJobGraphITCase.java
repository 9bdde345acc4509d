package io.riffle.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.jobs.serde.DecodedRecord;
import io.riffle.jobs.testing.CollectingSink;
import io.riffle.jobs.testing.StrictEnvironment;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelEvent;
import io.riffle.schemas.ModelEventKind;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The scoring job's graph run with test sources and collecting sinks instead of Kafka
 * ({@link ScoringSources}, {@link ScoringSinks}): decoded events of {@code pipelines/generic-30.yaml}
 * from a generator, one model version from another; every event is scored once, by that version,
 * with the value its ONNX model gives for the features the job computed, and only flagged scores
 * are alerts.
 */
class PipelineScoringJobGraphITCase {
    private static final int PARALLELISM = 2;
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static final int EVENTS = 400;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    /** The generators run in the task, where only the schema's text travels. */
    private static final Map<String, Schema> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    static DecodedRecord event(String schemaJson, long i) {
        Schema schema = SCHEMAS.computeIfAbsent(schemaJson, s -> new Schema.Parser().parse(s));
        GenericRecord r = new GenericData.Record(schema);
        r.put("eventId", "e-" + i);
        r.put("deviceId", "dev-" + i % 7);
        r.put("eventTime", BASE_TIME + i * 1000L);
        for (int f = 0; f < 30; f++) {
            r.put(String.format(java.util.Locale.ROOT, "x%02d", f), Math.sin(i * 0.37 + f) * (f + 1));
        }
        return DecodedRecord.of(r, "dev-" + i % 7, BASE_TIME + i * 1000L, BASE_TIME + i * 1000L, "test.events",
                0, i);
    }

    @Test
    void aTestSourceAndCollectingSinksRunTheWholeGraph() throws Exception {
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/generic-30.yaml"));
        ModelVersion model = ModelVersion.newBuilder(TestModels.binaryMlp(spec.models().get(0).name(), 1,
                spec.features().count(), 3L)).setFeatureSpecHash(spec.features().hash())
                .setReviewThreshold(0.5).setBlockThreshold(0.9).build();
        byte[] modelBytes = AvroSerde.of(ModelVersion.class).encode(model);
        String schemaJson = spec.eventSchema().toString();

        // Unbounded events: records wait (checkpointed) until the model arrives, whichever source is first.
        DataGeneratorSource<DecodedRecord> events = new DataGeneratorSource<>(i -> event(schemaJson, i),
                Long.MAX_VALUE, RateLimiterStrategy.perSecond(400), DecodedRecord.typeInfo(spec.eventSchema()));
        DataGeneratorSource<ModelVersion> models = new DataGeneratorSource<>(
                i -> AvroSerde.of(ModelVersion.class).decode(modelBytes), 1, new AvroTypeInfo<>(ModelVersion.class));
        CollectingSink<Score> scores = new CollectingSink<>();
        CollectingSink<Score> alerts = new CollectingSink<>();
        CollectingSink<FeatureVector> features = new CollectingSink<>();
        CollectingSink<ModelEvent> modelEvents = new CollectingSink<>();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();

        Configuration conf = PipelineConfigs.configuration(spec);
        conf.set(ScoringOptions.PARALLELISM, PARALLELISM);
        StreamExecutionEnvironment env = StrictEnvironment.create();   // no Kryo anywhere
        new PipelineScoringJob(spec, conf, new ScoringSources(events, models),
                new ScoringSinks(scores, alerts, features, modelEvents, deadLetters)).build(env);
        JobClient job = env.executeAsync("graph-with-test-sources");
        try {
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> scoredIds(scores).containsAll(firstIds()) && features.received().size() >= EVENTS);
        } finally {
            job.cancel().get();
        }

        List<Score> scored = scores.received();
        assertThat(scored).extracting(Score::getEventId).doesNotHaveDuplicates();
        assertThat(deadLetters.received()).isEmpty();
        assertThat(modelEvents.received()).filteredOn(e -> e.getKind() == ModelEventKind.LOADED).hasSize(PARALLELISM)
                .allSatisfy(e -> assertThat(e.getVersion()).isEqualTo(1));
        Map<String, FeatureVector> byId = new HashMap<>();
        features.received().forEach(v -> byId.put(v.getEventId(), v));
        int checked = 0;
        for (Score s : scored) {
            FeatureVector v = byId.get(s.getEventId());
            if (v == null) {
                continue;                                   // its vector was still on the way at the cancel
            }
            float[] row = new float[v.getValues().size()];
            for (int j = 0; j < row.length; j++) {
                row[j] = v.getValues().get(j);
            }
            assertThat(s.getModels()).singleElement().satisfies(ms -> {
                assertThat(ms.getVersion()).isEqualTo(1);
                assertThat(ms.getValue()).isCloseTo(TestModels.forward(model, row)[0],
                        org.assertj.core.data.Offset.offset(1e-4f));
            });
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(EVENTS);
        Set<String> flagged = scored.stream().filter(s -> s.getDecision() != Decision.ALLOW).map(Score::getEventId)
                .collect(Collectors.toSet());
        assertThat(alerts.received()).extracting(Score::getEventId).containsOnlyElementsOf(flagged);
    }

    private static Set<String> firstIds() {
        return java.util.stream.IntStream.range(0, EVENTS).mapToObj(i -> "e-" + i).collect(Collectors.toSet());
    }

    private static Set<String> scoredIds(CollectingSink<Score> scores) {
        return scores.received().stream().map(Score::getEventId).collect(Collectors.toSet());
    }
}

package io.riffle.cli.replay;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.Decision;
import io.riffle.schemas.FeatureVector;
import io.riffle.schemas.ModelRole;
import io.riffle.schemas.ModelScore;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Score;
import io.riffle.schemas.TrainingWindow;
import io.riffle.schemas.serde.AvroClassAllowList;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Matching outputs to events and the prequential metrics: the first output of an event counts,
 * dead letters are found by key or content, events scored by a version that trained on them are
 * left out, and windows and versions are reported in file order.
 */
class PrequentialTest {
    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "E", "fields": [
              {"name": "eventId", "type": "string"}, {"name": "userId", "type": "string"},
              {"name": "eventTime", "type": "long"}]}""");

    private History history;
    private EventOutcomes outcomes;

    /** Ten events e0..e9 at times 100..109, labeled 1, 0, 1, 0, 1, 1, 0, 1, 0, 1. */
    @BeforeEach
    void tenEvents(@TempDir Path dir) throws Exception {
        AvroClassAllowList.allowRiffleRecords();   // building records with enum defaults resolves Riffle's classes
        StringBuilder events = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            events.append("{\"eventId\":\"e").append(i).append("\",\"userId\":\"u\",\"eventTime\":").append(100 + i).append("}\n");
            labels.append("{\"eventId\":\"e").append(i).append("\",\"label\":").append((i + (i >= 5 ? 1 : 0)) % 2 == 0 ? 1 : 0)
                    .append("}\n");
        }
        Files.writeString(dir.resolve("e.jsonl"), events);
        Files.writeString(dir.resolve("l.jsonl"), labels);
        history = History.read(dir.resolve("e.jsonl"), dir.resolve("l.jsonl"), SCHEMA, "eventId", "userId", "eventId", "label");
        outcomes = new EventOutcomes(history, "eventId", "m");
    }

    private static Score score(int event, int version, float p) {
        return new Score("e" + event, "u", 100L + event, 0L, 1_000L + event, 1L,
                List.of(new ModelScore("other", 9, ModelTask.BINARY, ModelRole.CHAMPION, 0.5f, null),
                        new ModelScore("m-shadow", version + 1, ModelTask.BINARY, ModelRole.SHADOW, 1 - p, null),
                        new ModelScore("m", version, ModelTask.BINARY, ModelRole.CHAMPION, p, null)),
                Decision.ALLOW, List.of());
    }

    private static ModelVersion version(int v, long lastEventTime) {
        return ModelVersion.newBuilder().setName("m").setVersion(v).setTask(ModelTask.BINARY).setSha256("x")
                .setFeatureCount(1).setCreatedAt(500L + v).setTrainingWindow(new TrainingWindow(100L, lastEventTime, 3L, 0.5))
                .build();
    }

    private static DeadLetter deadLetter(String source, byte[] key, byte[] value) {
        return DeadLetter.newBuilder().setSourceTopic(source).setPartition(0).setOffset(0L)
                .setKey(key == null ? null : ByteBuffer.wrap(key)).setValue(value == null ? null : ByteBuffer.wrap(value))
                .setErrorClass("Bad").setErrorMessage("bad record").setTime(0L).build();
    }

    @Test
    void eventsScoredByAVersionThatTrainedOnThemAreLeftOut() {
        outcomes.modelVersion(version(1, 102));        // trained on e0..e2
        outcomes.modelVersion(version(2, 106));
        // e0..e4 waited for v1, then the rest by v1 and v2; perfect scores except e5 and e9.
        for (int i = 0; i < 10; i++) {
            int label = history.label("e" + i);
            float p = i == 5 || i == 9 ? (label == 1 ? 0.2f : 0.8f) : (label == 1 ? 0.9f : 0.1f);
            outcomes.score(score(i, i < 8 ? 1 : 2, p));
        }
        Prequential q = new Prequential(history, outcomes, 0.5);
        assertThat(q.trainedOnCount()).isEqualTo(3);
        assertThat(q.evaluatedCount()).isEqualTo(7);
        MetricSet all = q.over(0, 10);
        assertThat(all.events()).isEqualTo(10);
        assertThat(all.evaluated()).isEqualTo(7);
        assertThat(all.accuracy()).isCloseTo(5 / 7.0, within(1e-12));
        assertThat(all.rocAuc()).isBetween(0.5, 1.0);
        assertThat(all.logLoss()).isPositive();
        MetricSet firstHalf = q.over(0, 5);
        assertThat(firstHalf.evaluated()).isEqualTo(2);
        assertThat(firstHalf.accuracy()).isEqualTo(1.0);
        assertThat(firstHalf.rocAuc()).isEqualTo(1.0);

        List<Prequential.Window> windows = q.windows(4);
        assertThat(windows).extracting(Prequential.Window::firstEvent).containsExactly(0L, 4L, 8L);
        assertThat(windows).extracting(Prequential.Window::lastEvent).containsExactly(3L, 7L, 9L);
        assertThat(windows.get(0).metrics().evaluated()).isEqualTo(1);
        assertThat(windows.get(0).metrics().rocAuc()).isNull();      // one class only
        assertThat(windows.get(2).versions()).containsExactly(2);
        assertThat(q.served()).containsExactly(new Prequential.Served(1, 8, 0, 1_000),
                new Prequential.Served(2, 2, 8, 1_008));
    }

    @Test
    void theFirstOutputOfAnEventCountsAndDeadLettersAreFoundByKeyOrContent() {
        outcomes.score(score(0, 1, 0.9f));
        outcomes.score(score(0, 1, 0.1f));                                        // at-least-once repeat
        outcomes.score(new Score("stranger", "u", 0L, 0L, 0L, 0L, List.of(), Decision.ALLOW, List.of()));
        outcomes.deadLetter(deadLetter("events", "e1".getBytes(StandardCharsets.UTF_8), null), "labels");
        outcomes.deadLetter(deadLetter("events", "u".getBytes(StandardCharsets.UTF_8),
                "{\"eventId\":\"e2\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8)), "labels");
        FeatureVector waited = FeatureVector.newBuilder().setEventId("e3").setEntityId("u").setEventTime(103L)
                .setIngestTime(0L).setSpecHash("h").setValues(List.of(1f)).build();
        outcomes.deadLetter(deadLetter("events", null, AvroSerde.of(FeatureVector.class).encode(waited)), "labels");
        outcomes.deadLetter(deadLetter("labels", "e4".getBytes(StandardCharsets.UTF_8), null), "labels");
        outcomes.deadLetter(deadLetter("events", null, "garbage".getBytes(StandardCharsets.UTF_8)), "labels");
        outcomes.score(new Score("e5", "u", 105L, 0L, 0L, 0L, List.of(), Decision.ALLOW, List.of()));

        assertThat(outcomes.scored()).isEqualTo(2);
        assertThat(outcomes.deadLettered()).isEqualTo(3);
        assertThat(outcomes.accounted()).isEqualTo(5);
        assertThat(outcomes.duplicates()).isEqualTo(1);
        assertThat(outcomes.foreign()).isEqualTo(2);
        assertThat(outcomes.labelDeadLetters()).isEqualTo(1);
        assertThat(outcomes.scoredWithoutModel()).isEqualTo(1);
        assertThat(outcomes.deadLetterReasons()).containsEntry("Bad", 3L);
        assertThat(outcomes.probability[0]).isEqualTo(0.9f);
        assertThat(outcomes.newestServing()).isEqualTo(1);

        Prequential q = new Prequential(history, outcomes, 0.5);
        assertThat(q.evaluatedCount()).isEqualTo(1);   // only e0: e5 has no output of model m
        assertThat(q.over(0, 10).accuracy()).isEqualTo(1.0);
        assertThat(q.over(6, 10).evaluated()).isZero();
        assertThat(q.over(6, 10).accuracy()).isNull();
    }
}

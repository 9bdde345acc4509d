package io.riffle.cli.replay;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a history: JSON lines as they are, CSV rows typed by the schema, and errors with file and line. */
class HistoryTest {
    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "E", "fields": [
              {"name": "eventId", "type": "string"}, {"name": "userId", "type": "string"},
              {"name": "eventTime", "type": "long"}, {"name": "x", "type": ["null", "double"]}]}""");

    private static History read(Path dir, String eventsName, String events, String labelsName, String labels)
            throws Exception {
        Path e = dir.resolve(eventsName);
        Path l = dir.resolve(labelsName);
        Files.writeString(e, events);
        Files.writeString(l, labels);
        return History.read(e, l, SCHEMA, "eventId", "userId", "eventId", "label");
    }

    @Test
    void jsonLinesKeepTheirBytesAndLabelsJoinById(@TempDir Path dir) throws Exception {
        String first = "{\"eventId\":\"a\",\"userId\":\"u1\",\"eventTime\":1,\"x\":1.50}";
        History h = read(dir, "e.jsonl", first + "\n\n{\"eventId\":\"b\",\"userId\":\"u2\",\"eventTime\":2,\"x\":2}\n",
                "l.jsonl", "{\"eventId\":\"b\",\"label\":true}\n{\"eventId\":\"zz\",\"label\":0}\n{\"eventId\":\"a\",\"label\":\"1\"}\n"
                        + "{\"eventId\":\"a\",\"label\":0}\n");
        assertThat(h.size()).isEqualTo(2);
        assertThat(new String(h.events().get(0).json(), StandardCharsets.UTF_8)).isEqualTo(first);
        assertThat(h.events().get(1).key()).isEqualTo("u2");
        assertThat(h.indexOf("b")).isEqualTo(1);
        assertThat(h.indexOf("nope")).isEqualTo(-1);
        assertThat(h.label("a")).isEqualTo(0);   // the later label wins
        assertThat(h.label("b")).isEqualTo(1);
        assertThat(h.labeledEvents()).isEqualTo(2);
        assertThat(h.labelsWithoutEvent()).isEqualTo(1);
    }

    @Test
    void csvRowsBecomeJsonTypedByTheSchema(@TempDir Path dir) throws Exception {
        History h = read(dir, "e.csv", "eventId,userId,eventTime,x\n\"a,1\",u1,17,2.5\nb,\"u \"\"2\"\"\",18,\n",
                "l.csv", "eventId,label\n\"a,1\",1\nb,0\n");
        assertThat(new String(h.events().get(0).json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"eventId\":\"a,1\",\"userId\":\"u1\",\"eventTime\":17,\"x\":2.5}");
        assertThat(new String(h.events().get(1).json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"eventId\":\"b\",\"userId\":\"u \\\"2\\\"\",\"eventTime\":18,\"x\":null}");
        assertThat(h.label("a,1")).isEqualTo(1);
        assertThat(h.label("b")).isEqualTo(0);
    }

    @Test
    void problemsNameTheFileAndLine(@TempDir Path dir) {
        assertThatThrownBy(() -> read(dir, "e.jsonl", "{\"eventId\":\"a\",\"userId\":\"u\"}\n{\"eventId\":\"a\",\"userId\":\"u\"}\n",
                "l.jsonl", "")).isInstanceOf(HistoryException.class)
                .hasMessageEndingWith("e.jsonl:2: event id 'a' appears again (first on line 1); every event needs its"
                        + " own id to be matched with its score and label");
        assertThatThrownBy(() -> read(dir, "e.jsonl", "{\"eventId\":\"a\"}\n", "l.jsonl", ""))
                .hasMessageContaining("e.jsonl:1: the event has no 'userId' field (the pipeline's events.key)");
        assertThatThrownBy(() -> read(dir, "e.jsonl", "{\"eventId\":\"a\",\"userId\":\"u\"}\nnot json\n", "l.jsonl", ""))
                .hasMessageContaining("e.jsonl:2: not JSON");
        assertThatThrownBy(() -> read(dir, "e.jsonl", "{\"eventId\":\"a\",\"userId\":\"u\"}\n", "l.jsonl",
                "{\"eventId\":\"a\",\"label\":2}\n")).hasMessageContaining("l.jsonl:1: 'label' must be 0 or 1");
        assertThatThrownBy(() -> read(dir, "e.csv", "eventId,userId,eventTime\na,u,soon\n", "l.jsonl", ""))
                .hasMessageContaining("e.csv:2: 'soon' in column eventTime is not a number");
        assertThatThrownBy(() -> History.read(dir.resolve("missing.jsonl"), dir.resolve("l.jsonl"), SCHEMA, "eventId",
                "userId", "eventId", "label")).hasMessageEndingWith("missing.jsonl: no such file");
    }
}

package io.riffle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code riffle replay}'s user errors, found before anything starts: one line and a hint. */
class ReplayCommandTest {

    @Test
    void aMissingHistoryFileIsOneLineAndAHint(@TempDir Path dir) {
        RiffleInvocation replay = RiffleInvocation.run("replay", "--config", "../pipelines/sea.yaml",
                "--events", dir.resolve("nope.jsonl").toString(), "--labels", dir.resolve("nope-labels.jsonl").toString());
        assertThat(replay.code()).isEqualTo(1);
        assertThat(replay.err()).startsWith("Not started: " + dir.resolve("nope.jsonl") + ": no such file")
                .contains("\nHint: ").doesNotContain("Exception");
        assertThat(replay.err().lines()).hasSize(2);
    }

    @Test
    void aWrongValueIsOneLineAndAHint() {
        RiffleInvocation replay = RiffleInvocation.run("replay", "--config", "../pipelines/sea.yaml",
                "--events", "e.jsonl", "--labels", "l.jsonl", "--rate", "0");
        assertThat(replay.code()).isEqualTo(2);
        assertThat(replay.err()).startsWith("Error: --rate must be above 0, was 0.0")
                .contains("Hint: riffle replay --help");
    }

    @Test
    void aPipelineWithLabelsFromTheNextEventIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path pipelines = Path.of("../pipelines").toAbsolutePath().normalize();
        java.nio.file.Files.copy(pipelines.resolve("sea.avsc"), dir.resolve("sea.avsc"));
        String yaml = java.nio.file.Files.readString(pipelines.resolve("sea.yaml")).replace(
                "labels: {format: json, event-id: eventId, label: label, max-delay: 5m}",
                "labels: {from-next-event: {field: userId, within: 30m}}");
        assertThat(yaml).contains("from-next-event");
        Path file = java.nio.file.Files.writeString(dir.resolve("next.yaml"), yaml);
        RiffleInvocation replay = RiffleInvocation.run("replay", "--config", file.toString(),
                "--events", "e.jsonl", "--labels", "l.jsonl");
        assertThat(replay.code()).isEqualTo(1);
        assertThat(replay.err()).startsWith("Not started: ").contains("labels.from-next-event", "--labels")
                .doesNotContain("Exception");
        assertThat(replay.err().lines()).hasSize(1);
    }
}

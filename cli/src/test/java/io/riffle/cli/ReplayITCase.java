package io.riffle.cli;

import io.riffle.cli.replay.ReplayReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code riffle generate sea} then {@code riffle replay} of it through the embedded pipeline (an
 * in-process KRaft broker, the scoring job and label join on a Flink MiniCluster, the gbdt trainer):
 * every event comes out as a score or a dead letter, the model learns the concept from the delayed
 * labels and beats the majority class on events it had not trained on, and the JSON report and PNG
 * plot are written and readable.
 */
class ReplayITCase {

    @Test
    void aSeaHistoryIsReplayedReconciledAndEvaluated(@TempDir Path dir) throws Exception {
        int events = 4_000;
        RiffleInvocation generated = RiffleInvocation.run("generate", "sea", "--events", String.valueOf(events),
                "--drift-at", "3000", "--seed", "3", "--out", dir.toString());
        assertThat(generated.code()).as(generated.err()).isZero();
        List<String> labels = Files.readAllLines(dir.resolve("labels.jsonl"));
        double positiveShare = labels.stream().filter(l -> l.endsWith("\"label\":1}")).count() / (double) events;
        double majority = Math.max(positiveShare, 1 - positiveShare);

        Path json = dir.resolve("report.json");
        Path png = dir.resolve("report.png");
        long started = System.nanoTime();
        RiffleInvocation replay = RiffleInvocation.run("replay", "--config", "../pipelines/sea.yaml",
                "--events", dir.resolve("events.jsonl").toString(), "--labels", dir.resolve("labels.jsonl").toString(),
                "--rate", "400", "--label-delay", "1s", "--window", "500", "--drift-at", "3000",
                "--status-every", "2s", "--drain-timeout", "30s", "--json", json.toString(), "--plot", png.toString());
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(replay.code()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("Replayed 4,000 events").contains("reconciled").contains("Report: ")
                .containsPattern("\\[00:0[2-9]\\] sent [0-9,]+/4,000 events");   // progress while it runs

        ReplayReport report = ReplayReport.read(json);
        assertThat(report.eventsIn()).isEqualTo(events);
        assertThat(report.scored() + report.deadLetters()).isEqualTo(events);
        assertThat(report.unaccounted()).isZero();
        assertThat(report.reconciled()).isTrue();
        assertThat(report.labelsSent()).isEqualTo(events);
        assertThat(report.evaluated() + report.trainedOn() + report.unlabeled() + report.nonFinite())
                .isEqualTo(report.scored() - report.scoredWithoutModel());
        // The first version trains on the labels of the events that waited for it: those are left out,
        // and the rest (about half the file at this rate) is evaluated.
        assertThat(report.evaluated()).isGreaterThan(events / 4);
        assertThat(report.overall().accuracy()).isBetween(majority + 0.05, 1.0);
        assertThat(report.overall().rocAuc()).isBetween(0.75, 1.0);
        assertThat(report.overall().logLoss()).isBetween(0.0, 0.69);   // below the coin's ln 2
        assertThat(report.overall().recallAt1PctFpr()).isBetween(0.0, 1.0);
        assertThat(report.afterDrift().events()).isEqualTo(1_000);
        assertThat(report.windows()).hasSize(8);
        assertThat(report.versions()).isNotEmpty();
        assertThat(report.versions().get(0).version()).isEqualTo(1);
        assertThat(report.versions().get(0).trainingLastEventTime()).isNotNull();
        assertThat(report.versions().stream().mapToLong(ReplayReport.Version::events).sum())
                .isEqualTo(report.scored() - report.scoredWithoutModel());
        assertThat(report.promotions()).isGreaterThanOrEqualTo(report.versions().size());

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1400);
        assertThat(image.getHeight()).isEqualTo(650);
        assertThat(seconds).as("replay time").isLessThan(60);
    }
}

package io.riffle.tests.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The helpers of {@link DeploymentFilesTest} catch what they are there to catch. */
class DeploymentCheckersTest {

    @Test
    void promQlNamesAreTheSelectedMetricsOnly() {
        assertThat(PromQlNames.metricNames(
                "histogram_quantile(0.9, sum by (le, model) (rate(riffle_trainer_fit_seconds_bucket{model=~\"fraud|x\"}[10m])))"))
                .containsExactly("riffle_trainer_fit_seconds_bucket");
        assertThat(PromQlNames.metricNames("sum(rate(a_total[1m])) / ignoring(x) group_left sum(b) > bool 0.5 and on(job) c"))
                .containsExactly("a_total", "b", "c");
        assertThat(PromQlNames.metricNames("max without (quantile) (m{quantile=\"0.99\"}) offset 5m")).containsExactly("m");
        assertThat(PromQlNames.family("riffle_trainer_fit_seconds_bucket", Set.of("riffle_trainer_fit_seconds")))
                .isEqualTo("riffle_trainer_fit_seconds");
        assertThat(PromQlNames.family("other_count", Set.of("riffle_trainer_fit_seconds"))).isEqualTo("other_count");
    }

    @Test
    void dockerIgnoreLastMatchWinsAndDirectoriesCoverTheirFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(".dockerignore");
        Files.writeString(file, "**/target/\n.git\ndocker/\n!docker/riffle-entrypoint.sh\n");
        DockerIgnore ignore = DockerIgnore.read(file);
        assertThat(ignore.excludes("cli/target/riffle-cli.jar")).isTrue();
        assertThat(ignore.excludes("target/x")).isTrue();
        assertThat(ignore.excludes(".git/HEAD")).isTrue();
        assertThat(ignore.excludes("docker/compose.yaml")).isTrue();
        assertThat(ignore.excludes("docker/riffle-entrypoint.sh")).isFalse();
        assertThat(ignore.excludes("pipelines/")).isFalse();
        assertThat(ignore.excludes("cli/src/main/java")).isFalse();
    }

    @Test
    void dockerfileContinuationsAndCommentsAreJoined(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("Dockerfile");
        Files.writeString(file, "FROM a:1 AS build\nRUN set -eu; \\\n    # why\n    echo x\n"
                + "COPY --from=build --chown=u:g /out/ /opt/\nFROM b AS cli\nCOPY pipelines/ /p/\n");
        var instructions = DockerfileInstructions.read(file);
        assertThat(instructions).extracting(DockerfileInstructions.Instruction::keyword)
                .containsExactly("FROM", "RUN", "COPY", "FROM", "COPY");
        assertThat(instructions.get(2).flag("from")).isEqualTo("build");
        assertThat(instructions.get(2).arguments()).containsExactly("/out/", "/opt/");
        assertThat(DockerfileInstructions.stages(instructions)).containsExactly("build", "cli");
    }

    @Test
    void misspeltKubernetesFieldsAreFound(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replica: 1
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          imagePullPolicy: IfNotPresent
                          volumeMount: []
                """);
        Deployment d = KubernetesManifests.read(List.of(file)).typed(Deployment.class).get(0);
        assertThat(KubernetesManifests.unknownFields(d)).hasSize(2)
                .anySatisfy(f -> assertThat(f).contains("replica"))
                .anySatisfy(f -> assertThat(f).contains("containers[0]").contains("volumeMount"));
    }
}

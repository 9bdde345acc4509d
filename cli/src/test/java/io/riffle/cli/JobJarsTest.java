package io.riffle.cli;

import io.riffle.jobs.LabelJoinJob;
import io.riffle.jobs.PipelineScoringJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobJarsTest {

    @Test
    void artifactNamesComeFromMavenFileNames() {
        assertThat(JobJars.artifactName(Path.of("/m2/org/apache/kafka/kafka-clients/4.2.2/kafka-clients-4.2.2.jar")))
                .isEqualTo("kafka-clients");
        assertThat(JobJars.artifactName(Path.of("/x/flink-connector-kafka-5.0.0-2.2.jar"))).isEqualTo("flink-connector-kafka");
        assertThat(JobJars.artifactName(Path.of("/x/flink-runtime-2.2.1-tests.jar"))).isEqualTo("flink-runtime");
        assertThat(JobJars.artifactName(Path.of("/x/riffle-stream-jobs-0.1.0-SNAPSHOT.jar"))).isEqualTo("riffle-stream-jobs");
        assertThat(JobJars.artifactName(Path.of("/work/stream-jobs/target/classes"))).isEqualTo("stream-jobs");
    }

    @Test
    void flinkArtifactsOutsideTheDistributionAreTheJobs() {
        assertThat(JobJars.isUnbundledFlinkArtifact("flink-connector-kafka")).isTrue();
        assertThat(JobJars.isUnbundledFlinkArtifact("flink-avro")).isTrue();
        assertThat(JobJars.isUnbundledFlinkArtifact("flink-connector-base")).isFalse();
        assertThat(JobJars.isUnbundledFlinkArtifact("flink-runtime")).isFalse();
        Path kafkaClients = Path.of("/m2/kafka-clients-4.2.2.jar");
        assertThat(JobJars.providedByFlinkCluster("org/apache/kafka/clients/producer/KafkaProducer", kafkaClients)).isFalse();
        assertThat(JobJars.providedByFlinkCluster("org/slf4j/Logger", Path.of("/m2/slf4j-api-1.7.36.jar"))).isTrue();
        assertThat(JobJars.providedByFlinkCluster("org/apache/flink/runtime/X", Path.of("/m2/flink-runtime-2.2.1.jar")))
                .isTrue();
        assertThat(JobJars.providedByFlinkCluster("org/apache/flink/connector/kafka/source/KafkaSource",
                Path.of("/m2/flink-connector-kafka-5.0.0-2.2.jar"))).isFalse();
    }

    @Test
    void theJobShipsRiffleAndItsNonFlinkDependenciesOnly() throws Exception {
        JobJars jars = JobJars.forJobClasses(PipelineScoringJob.class, LabelJoinJob.class);
        Set<String> names = new HashSet<>();
        jars.jars().forEach(jar -> names.add(JobJars.artifactName(jar)));
        assertThat(names).contains("riffle-stream-jobs", "riffle-model-ops", "riffle-schemas", "flink-connector-kafka",
                "flink-avro", "kafka-clients", "avro", "onnxruntime", "jackson-databind");
        assertThat(names).noneMatch(n -> n.startsWith("flink-") && !JobJars.isUnbundledFlinkArtifact(n))
                .noneMatch(n -> n.startsWith("log4j") || n.startsWith("slf4j"))
                .doesNotContain("riffle-cli", "riffle-trainer", "riffle-bench", "riffle-embedded-kafka", "kafka_2.13",
                        "scala-library", "xgboost4j_2.12", "junit", "testcontainers");
        assertThat(jars.jars()).allMatch(jar -> jar.toString().endsWith(".jar") && Files.isRegularFile(jar));

        JobJars withoutOrt = jars.without(List.of("onnxruntime"));
        assertThat(withoutOrt.jars()).hasSize(jars.jars().size() - 1);
        assertThatThrownBy(() -> jars.without(List.of("no-such-thing")))
                .hasMessageContaining("no-such-thing").hasMessageContaining("kafka-clients");
    }

    @Test
    void classFilesNameTheClassesTheyUse() throws Exception {
        Set<String> refs = new HashSet<>();
        try (InputStream in = JobJars.class.getResourceAsStream("JobJars.class")) {
            JobJars.classFileReferences(in, refs);
        }
        assertThat(refs).contains("org/apache/flink/configuration/CoreOptions", "java/util/zip/ZipFile");
    }

    @Test
    void aClassesDirectoryIsPackedIntoAJar(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("module/target/classes/io/example"));
        Files.writeString(classes.resolve("A.class"), "not really a class");
        Path jar = JobJars.packDirectory(dir.resolve("module/target/classes"));
        assertThat(jar.getFileName().toString()).startsWith("module-").endsWith(".jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getEntry("io/example/A.class")).isNotNull();
        }
    }
}

package io.riffle.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.cli.Durations;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

class DemoPipelineTest {

    @Test
    void theDemoRunsTheShippedPipelineFile() {
        Path file = DemoPipeline.defaultFile();
        assertThat(file).isAbsolute().endsWith(Path.of("pipelines", "demo.yaml"));
        PipelineSpec spec = DemoPipeline.loadDefault();
        assertThat(spec.name()).isEqualTo("demo");
        assertThat(spec.features().count()).isEqualTo(46);
    }

    @Test
    void riffleHomeComesFirst(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("pipelines"));
        Files.copy(Path.of("../pipelines/demo.yaml"), home.resolve("pipelines/demo.yaml"));
        String old = System.getProperty(io.riffle.modelops.spec.PipelineFiles.HOME_PROPERTY);
        System.setProperty(io.riffle.modelops.spec.PipelineFiles.HOME_PROPERTY, home.toString());
        try {
            assertThat(DemoPipeline.defaultFile()).isEqualTo(home.resolve("pipelines/demo.yaml").toAbsolutePath());
        } finally {
            if (old == null) {
                System.clearProperty(io.riffle.modelops.spec.PipelineFiles.HOME_PROPERTY);
            } else {
                System.setProperty(io.riffle.modelops.spec.PipelineFiles.HOME_PROPERTY, old);
            }
        }
    }

    @Test
    void aPipelineOfOtherEventsIsNotDemoShaped() {
        assertThatThrownBy(() -> DemoPipeline.load(Path.of("../pipelines/generic-30.yaml")))
                .isInstanceOf(PipelineSpecException.class)
                .hasMessageContaining("generic-30.yaml")
                .hasMessageContaining("events.schema")
                .hasMessageContaining("io.riffle.schemas.Transaction");
    }

    @Test
    void aBrokenConfigStopsTheDemoBeforeAnythingStartsWithFileLineAndField(@TempDir Path dir) throws Exception {
        io.riffle.cli.BrokenPipelineFile broken = io.riffle.cli.BrokenPipelineFile.unknownKeyField(dir);
        Path file = broken.file();
        int line = broken.line();

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new DemoCommand()).registerConverter(Duration.class, Durations::parse)
                    .execute("--config", file.toString());
        } finally {
            System.setErr(oldErr);
        }
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Not started")
                .contains("broken.yaml:" + line).contains("events.key").contains("cardNumber");
    }
}

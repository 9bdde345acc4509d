package io.riffle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ValidateCommandTest {

    private static int run(PrintStream out, PrintStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(out);
        System.setErr(err);
        try {
            return new CommandLine(new ValidateCommand()).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void theShippedDemoPipelineIsValid() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(new PrintStream(out), System.err, "--config", "../pipelines/demo.yaml");
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is valid").contains("spec hash");
    }

    @Test
    void problemsAreReportedWithFileLineAndField(@TempDir Path dir) throws Exception {
        BrokenPipelineFile broken = BrokenPipelineFile.unknownKeyField(dir);
        Path file = broken.file();
        int line = broken.line();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(System.out, new PrintStream(err), "--config", file.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("broken.yaml:" + line).contains("events.key")
                .contains("cardNumber");
    }
}

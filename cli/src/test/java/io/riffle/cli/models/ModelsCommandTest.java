package io.riffle.cli.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.testing.TestModels;
import io.riffle.schemas.ModelTask;
import io.riffle.schemas.ModelVersion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new ModelsCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void everyCommandHasHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("publish").contains("list");
        assertThat(run("publish", "--help")).isZero();
        assertThat(out.toString()).contains("--file", "--task", "--features", "--positive-index",
                "--review-threshold", "--block-threshold", "--role", "--topic", "--bootstrap-servers",
                "localhost:9092", "riffle.models");
        assertThat(run("list", "-h")).isZero();
        assertThat(run("publish", "--version")).isZero();
    }

    @Test
    void taskAndRoleAreCheckedBeforeAnythingHappens(@TempDir Path dir) {
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "multiclass", "--features", "3"))
                .isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("a multiclass model needs --labels FILE|a,b,c");
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "binary", "--features", "3",
                "--labels", "a,b")).isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("--labels is for --task multiclass");
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "multiclass", "--features", "3",
                "--labels", dir.resolve("labels.txt").toString())).isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("no such file; give a file with one label per line");
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "multiclass", "--features", "3",
                "--labels", "a,b", "--output-kind", "scores")).isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("--output-kind 'scores' is not one of probabilities, logits");
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "regression", "--features", "3"))
                .isNotZero();
        assertThat(err.toString()).contains("unknown task 'regression'; use binary, anomaly or multiclass");
        assertThat(run("publish", "--file", "x.onnx", "--name", "m", "--task", "BINARY", "--features", "3",
                "--role", "boss")).isNotZero();
        assertThat(err.toString()).contains("unknown role 'boss'");
    }

    @Test
    void missingFileIsRefused(@TempDir Path dir) {
        int code = run("publish", "--file", dir.resolve("nope.onnx").toString(), "--name", "m", "--task", "binary",
                "--features", "3");
        assertThat(code).isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("not published: model file").contains("does not exist");
    }

    @Test
    void localValidationExplainsWhyAModelIsRefused(@TempDir Path dir) throws Exception {
        byte[] logits = TestModels.mlpScaled(9L, OutputActivation.NONE, 50.0, 6, 4, 1);
        assertThat(Publish.validate(ModelVersions.fromOnnx(logits, "m", 1, ModelTask.BINARY, 6)))
                .contains("add a Sigmoid");
        assertThat(Publish.validate(TestModels.binaryMlp("m", 1, 6, 1L))).isNull();
        Path file = dir.resolve("m.onnx");
        Files.write(file, ModelVersions.onnxBytes(TestModels.binaryMlp("m", 1, 6, 1L)));
        ModelVersion wrongWidth = ModelVersions.fromOnnx(Files.readAllBytes(file), "m", 1, ModelTask.BINARY, 5);
        assertThat(Publish.validate(wrongWidth)).contains("[batch, 6]").contains("[batch, 5]");
    }

    @Test
    void multiclassLabelsComeFromAFileOrACommaListAndValidationChecksThemAgainstTheOutput(@TempDir Path dir)
            throws Exception {
        Publish p = new Publish();
        p.task = ModelTask.MULTICLASS;
        p.outputKind = "probabilities";
        p.labels = " sku-1, sku-2 ,,sku-3";
        assertThat(p.classLabels()).containsExactly("sku-1", "sku-2", "sku-3");
        Path file = dir.resolve("labels.txt");
        Files.writeString(file, "item-0\nitem-1\n\nitem-2\nitem-3\nitem-4\n");
        p.labels = file.toString();
        assertThat(p.classLabels()).containsExactly("item-0", "item-1", "item-2", "item-3", "item-4");

        ModelVersion fiveClasses = TestModels.multiclassMlp("recs", 1, 6, 5, 1L);
        assertThat(Publish.validate(fiveClasses)).isNull();
        assertThat(Publish.validate(ModelVersion.newBuilder(fiveClasses).setClassLabels(List.of("a", "b", "c")).build()))
                .contains("has 5 columns").contains("names 3 class labels");
    }

    @Test
    void keygenWritesAPairAndNeverOverwritesIt(@TempDir Path dir) throws Exception {
        assertThat(run("keygen", "--help")).isZero();
        assertThat(out.toString()).contains("--out", "PATH.key", "PATH.pub", "never overwritten");
        Path base = dir.resolve("keys/riffle");
        assertThat(run("keygen", "--out", base.toString())).isZero();
        assertThat(out.toString()).contains("wrote " + dir.resolve("keys/riffle.key"))
                .contains("wrote " + dir.resolve("keys/riffle.pub")).contains("fingerprint");
        assertThat(Files.readString(dir.resolve("keys/riffle.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("keys/riffle.pub"))).startsWith("-----BEGIN PUBLIC KEY-----");
        byte[] key = Files.readAllBytes(dir.resolve("keys/riffle.key"));

        assertThat(run("keygen", "--out", base.toString())).isEqualTo(Keygen.EXIT_REFUSED);
        assertThat(err.toString()).contains("no key written: not overwriting " + dir.resolve("keys/riffle.key"));
        assertThat(Files.readAllBytes(dir.resolve("keys/riffle.key"))).isEqualTo(key);
        assertThat(run("keygen")).isNotZero();
        assertThat(err.toString()).contains("Missing required option: '--out=PATH'");
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("keygen");
    }

    @Test
    void publishRefusesABadSigningKeyBeforeTouchingKafka(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.write(model, ModelVersions.onnxBytes(TestModels.binaryMlp("m", 1, 6, 1L)));
        assertThat(run("publish", "--help")).isZero();
        assertThat(out.toString()).contains("--signing-key");
        assertThat(run("keygen", "--out", dir.resolve("riffle").toString())).isZero();
        // Port 9 is not Kafka: a refusal that got as far as the registry would say so instead.
        String[] common = {"publish", "--file", model.toString(), "--name", "m", "--task", "binary", "--features", "6",
                "--bootstrap-servers", "127.0.0.1:9", "--timeout", "PT1S"};
        assertThat(run(concat(common, "--signing-key", dir.resolve("riffle.pub").toString())))
                .isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("not published: cannot read signing key " + dir.resolve("riffle.pub")
                + ": not a PKCS#8 Ed25519 private key in PEM form");
        assertThat(run(concat(common, "--signing-key", dir.resolve("nope.key").toString())))
                .isEqualTo(Publish.EXIT_REJECTED);
        assertThat(err.toString()).contains("no such file (make one with 'riffle models keygen --out NAME')");
    }

    @Test
    void publishRefusesThresholdsOutsideTheUnitInterval(@TempDir Path dir) {
        String[] common = {"publish", "--file", dir.resolve("m.onnx").toString(), "--name", "m", "--task", "binary",
                "--features", "6"};
        for (String[] t : new String[][] {{"0.9", "0.5"}, {"-0.1", "0.5"}, {"0.5", "1.5"}, {"NaN", "0.9"}}) {
            assertThat(run(concat(common, "--review-threshold", t[0], "--block-threshold", t[1])))
                    .as("review %s block %s", t[0], t[1]).isEqualTo(Publish.EXIT_REJECTED);
            assertThat(err.toString()).contains("--review-threshold " + Double.parseDouble(t[0]) + " and --block-threshold "
                    + Double.parseDouble(t[1]) + " must satisfy 0 <= review <= block <= 1");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void listPrintsATable() {
        ModelVersion a = TestModels.binaryMlp("fraud", 1, 4, 1L);
        ModelVersion b = TestModels.anomaly("odd", 2, 4);
        StringWriter table = new StringWriter();
        ListVersions.print(List.of(a, b), new PrintWriter(table));
        String[] lines = table.toString().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("NAME", "VERSION", "TASK", "ROLE", "FEATURES", "SHA256", "CREATED AT");
        assertThat(lines[1]).contains("fraud", "binary", "champion", a.getSha256().substring(0, 12));
        assertThat(lines[2]).contains("odd", "anomaly");
        StringWriter empty = new StringWriter();
        ListVersions.print(List.of(), new PrintWriter(empty));
        assertThat(empty.toString()).contains("(no model versions)");
    }
}

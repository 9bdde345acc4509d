package io.riffle.cli.models;

import io.riffle.modelops.spec.PipelineSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code models publish} settles the feature count, names and spec hash it stamps. */
class PublishFeaturesTest {
    static final Path DEMO = Path.of("../pipelines/demo.yaml");

    static Publish parse(String... args) {
        Publish publish = new Publish();
        new CommandLine(publish).parseArgs(args);
        return publish;
    }

    @Test
    void aPipelineFileStampsItsFeatureCountNamesAndHash() throws Exception {
        PipelineSpec spec = PipelineSpec.load(DEMO);
        Publish publish = parse("--file", "m.onnx", "--name", "fraud", "--task", "binary", "--config", DEMO.toString());
        assertThat(publish.resolveFeatures()).isNull();
        assertThat(publish.features).isEqualTo(spec.features().count());
        assertThat(publish.featureNames).isEqualTo(spec.features().names());
        assertThat(publish.specHash).isEqualTo(spec.features().hash());
    }

    @Test
    void featureNamesThatDifferFromThePipelineAreRefused() throws Exception {
        List<String> names = new ArrayList<>(PipelineSpec.load(DEMO).features().names());
        String second = names.get(1);
        names.set(1, "something_else");
        Publish publish = parse("--file", "m.onnx", "--name", "fraud", "--task", "binary", "--config", DEMO.toString(),
                "--feature-names", String.join(",", names));
        assertThat(publish.resolveFeatures()).contains("position 2").contains("something_else").contains(second);
    }

    @Test
    void withoutAPipelineTheCountIsRequiredAndMustMatchTheNames() {
        assertThat(parse("--file", "m.onnx", "--name", "x", "--task", "binary").resolveFeatures())
                .contains("--features").contains("--config");
        assertThat(parse("--file", "m.onnx", "--name", "x", "--task", "binary", "--features", "3",
                "--feature-names", "a,b").resolveFeatures()).contains("2 names").contains("3");
        assertThat(parse("--file", "m.onnx", "--name", "x", "--task", "binary", "--features", "2",
                "--feature-names", "a,b").resolveFeatures()).isNull();
    }
}

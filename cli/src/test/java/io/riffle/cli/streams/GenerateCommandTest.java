package io.riffle.cli.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.modelops.decode.DecodedEvent;
import io.riffle.modelops.decode.EventDecoder;
import io.riffle.modelops.features.FeatureExtractor;
import io.riffle.modelops.spec.PipelineSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code riffle generate}: the same seed writes the same files, and each stream's events are read by
 * its shipped pipeline file (decoded as JSON, its attributes the features, categorical codes one-hot).
 */
class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void generate(String stream, Path out, String... more) {
        String[] args = new String[5 + more.length];
        args[0] = stream;
        args[1] = "--events";
        args[2] = "200";
        args[3] = "--out";
        args[4] = out.toString();
        System.arraycopy(more, 0, args, 5, more.length);
        assertThat(new CommandLine(new GenerateCommand()).execute(args)).isZero();
    }

    @Test
    void theSameSeedWritesTheSameFiles(@TempDir Path dir) throws Exception {
        generate("agrawal", dir.resolve("a"), "--seed", "4", "--drift-at", "100");
        generate("agrawal", dir.resolve("b"), "--seed", "4", "--drift-at", "100");
        generate("agrawal", dir.resolve("c"), "--seed", "5", "--drift-at", "100");
        for (String f : List.of("events.jsonl", "labels.jsonl")) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(f))).isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
        }
        assertThat(Files.readString(dir.resolve("c/events.jsonl"))).isNotEqualTo(Files.readString(dir.resolve("a/events.jsonl")));
        List<String> events = Files.readAllLines(dir.resolve("a/events.jsonl"));
        List<String> labels = Files.readAllLines(dir.resolve("a/labels.jsonl"));
        assertThat(events).hasSize(200);
        assertThat(labels).hasSize(200);
        JsonNode first = JSON.readTree(events.get(0));
        JsonNode second = JSON.readTree(events.get(1));
        assertThat(first.get("eventId").asText()).isEqualTo("agrawal-0");
        assertThat(first.get("userId").asText()).matches("u-\\d+");
        assertThat(first.get("eventTime").asLong()).isEqualTo(1_767_225_600_000L);   // 2026-01-01T00:00:00Z
        assertThat(second.get("eventTime").asLong()).isEqualTo(1_767_225_600_002L);  // 500 per second
        assertThat(JSON.readTree(labels.get(1)).get("eventId").asText()).isEqualTo("agrawal-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sea", "agrawal", "hyperplane"})
    void eachStreamIsReadByItsPipelineFile(String stream, @TempDir Path dir) throws Exception {
        generate(stream, dir);
        PipelineSpec spec = PipelineSpec.load(Path.of("../pipelines/" + stream + ".yaml"));
        EventDecoder decoder = EventDecoder.of(spec);
        decoder.open();
        FeatureExtractor features = FeatureExtractor.of(spec);
        List<String> names = spec.features().names();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl")).subList(0, 20)) {
            JsonNode event = JSON.readTree(line);
            DecodedEvent decoded = decoder.decode(event.get("userId").asText().getBytes(StandardCharsets.UTF_8),
                    line.getBytes(StandardCharsets.UTF_8), event.get("eventTime").asLong());
            assertThat(decoded.isRefused()).as(decoded.toString()).isFalse();
            float[] v = features.extract(decoded.record(), features.newState());
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if (event.has(name)) {
                    assertThat((double) v[i]).as(name).isCloseTo(event.get(name).asDouble(),
                            org.assertj.core.data.Percentage.withPercentage(1e-4));
                }
            }
            if (stream.equals("agrawal")) {
                for (String categorical : List.of("elevel", "car", "zipcode")) {
                    int code = event.get(categorical).asInt();
                    int hot = names.indexOf(categorical + "_" + code);
                    assertThat(hot).as(categorical + "_" + code + " in " + names).isNotNegative();
                    assertThat(v[hot]).isEqualTo(1f);
                    assertThat(v[names.indexOf(categorical + "_other")]).isZero();
                }
            }
        }
        assertThat(names).hasSize(switch (stream) {
            case "sea" -> 3;
            case "hyperplane" -> 10;
            default -> 6 + 6 + 21 + 10;   // numeric, elevel 5 + other, car 20 + other, zipcode 9 + other
        });
    }
}

package io.riffle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's pipeline file with one mistake: {@code events.key} names a field the schema does
 * not have ({@code cardNumber}); copied with its schema into {@code dir}.
 *
 * @param file the broken file
 * @param line the line of the mistake (1-based), which the error must name
 */
public record BrokenPipelineFile(Path file, int line) {

    public static BrokenPipelineFile unknownKeyField(Path dir) throws IOException {
        Files.copy(Path.of("../pipelines/transaction.avsc"), dir.resolve("transaction.avsc"));
        String yaml = Files.readString(Path.of("../pipelines/demo.yaml")).replaceFirst("key: cardId", "key: cardNumber");
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, yaml);
        int line = 1 + (int) yaml.substring(0, yaml.indexOf("key: cardNumber")).chars().filter(c -> c == '\n').count();
        return new BrokenPipelineFile(file, line);
    }
}

package io.riffle.modelops.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Writes pipeline files beside a copy of the test event schema ({@code specs/events.avsc}). */
public final class SpecFixtures {

    /** An {@code events:} section for {@code specs/events.avsc} and one numeric feature: the least a file needs. */
    public static final String MINIMAL = """
            events:
              schema: events.avsc
              key: userId
              id: eventId
              time: {field: ts, unit: epoch-millis}
            features:
              fields:
                - numeric: amount
            """;

    private SpecFixtures() {}

    /** Writes {@code yaml} as {@code dir/pipeline.yaml} with {@code events.avsc} beside it. */
    public static Path write(Path dir, String yaml) throws IOException {
        copyResource("specs/events.avsc", dir.resolve("events.avsc"));
        Path file = dir.resolve("pipeline.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** The text of a test resource under {@code specs/}. */
    public static String resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(SpecFixtures.class.getClassLoader().getResourceAsStream("specs/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Loads {@code yaml}, failing the test with the errors when it is invalid. */
    public static PipelineSpec load(Path dir, String yaml) throws IOException {
        try {
            return PipelineSpec.load(write(dir, yaml));
        } catch (PipelineSpecException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = Objects.requireNonNull(SpecFixtures.class.getClassLoader().getResourceAsStream(name), name)) {
            Files.write(target, in.readAllBytes());
        }
    }
}

package io.riffle.modelops.spec;

import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A validated pipeline file: what a user runs with {@code riffle run --config FILE}. Build it with
 * {@link #load(Path)}; every field is checked against the event schema before anything starts.
 *
 * @param file        the pipeline file, absolute
 * @param name        {@code name:} or, by default, the file name without extension; prefixes group and transactional ids
 * @param eventSchema the parsed Avro schema of {@code events.schema}
 * @param privacy     the {@code privacy:} section, or null when nothing is hashed
 * @param dashboard   the {@code dashboard:} section (defaults when absent)
 */
public record PipelineSpec(Path file, String name, KafkaSpec kafka, EventsSpec events, Schema eventSchema,
                           LabelsSpec labels, FeatureSpec features, List<ModelSpec> models, TrainerSpec trainer,
                           ScoringSpec scoring, PrivacySpec privacy,
                           DashboardSpec dashboard) {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineSpec.class);

    public PipelineSpec {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(eventSchema, "eventSchema");
        models = List.copyOf(models);
        dashboard = dashboard == null ? DashboardSpec.defaults() : dashboard;
    }

    /**
     * Reads, parses and validates {@code yaml}.
     *
     * @throws PipelineSpecException with every problem found (file, line, field path, what is allowed)
     */
    public static PipelineSpec load(Path yaml) throws PipelineSpecException {
        Path file = yaml.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PipelineSpecException(List.of(new SpecError(yaml.toString(), 0, 0, "",
                    "cannot read the pipeline file: " + e)));
        }
        PipelineSpec spec = parse(text, file, yaml.toString());
        LOG.info("Pipeline {} from {}: {} features (spec hash {}), {} model(s)", spec.name(), file,
                spec.features().count(), spec.features().hash(), spec.models().size());
        return spec;
    }

    /**
     * Parses {@code yaml} as if read from {@code file} (relative paths such as the schema resolve
     * against its folder); {@code displayName} is how errors name the file.
     */
    public static PipelineSpec parse(String yaml, Path file, String displayName) throws PipelineSpecException {
        return new PipelineSpecReader(displayName, file.toAbsolutePath().normalize()).read(yaml);
    }
}

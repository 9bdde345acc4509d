package io.riffle.cli.demo;

import io.riffle.modelops.spec.DataFormat;
import io.riffle.modelops.spec.LabelsSpec;
import io.riffle.modelops.spec.PipelineFiles;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.modelops.spec.PipelineSpecException;
import io.riffle.modelops.spec.SpecError;
import io.riffle.schemas.Label;
import io.riffle.schemas.Transaction;
import org.apache.avro.SchemaNormalization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline file the demo runs: {@value #DEFAULT_FILE} of the Riffle installation (the
 * {@code riffle} launcher passes its folder as {@code -D}{@value PipelineFiles#HOME_PROPERTY}), or another
 * demo-shaped file. Demo-shaped means the demo's traffic fits it: its events are
 * {@link Transaction} records in Avro (the schema of {@code pipelines/transaction.avsc}), and its
 * labels are Avro {@link Label}s with the default field names. Features, topics, lateness and
 * scoring settings may differ freely.
 */
public final class DemoPipeline {

    /** The demo's own pipeline, relative to the Riffle installation folder. */
    public static final String DEFAULT_FILE = PipelineFiles.DEMO;

    private DemoPipeline() {}

    /** {@value #DEFAULT_FILE} of this installation ({@link PipelineFiles#shipped}). */
    public static Path defaultFile() {
        return PipelineFiles.shipped(DEFAULT_FILE);
    }

    /**
     * Loads and validates {@code file} ({@link PipelineSpec#load}), then checks that it is
     * demo-shaped.
     *
     * @throws PipelineSpecException with every problem found, each naming the file and the field
     */
    public static PipelineSpec load(Path file) throws PipelineSpecException {
        PipelineSpec spec = PipelineSpec.load(file);
        String name = file.toString();
        List<SpecError> errors = new ArrayList<>();
        if (spec.events().format() != DataFormat.AVRO) {
            errors.add(new SpecError(name, 0, 0, "events.format", "the demo produces Avro events; use 'avro'"));
        }
        if (SchemaNormalization.parsingFingerprint64(spec.eventSchema())
                != SchemaNormalization.parsingFingerprint64(Transaction.getClassSchema())) {
            errors.add(new SpecError(name, 0, 0, "events.schema", "the demo produces " + Transaction.class.getName()
                    + " records; the schema must be that record (as pipelines/transaction.avsc is)"));
        }
        LabelsSpec labels = spec.labels();
        if (labels != null && (labels.format() != DataFormat.AVRO || !labels.eventIdField().equals("eventId")
                || !labels.labelField().equals("label"))) {
            errors.add(new SpecError(name, 0, 0, "labels", "the demo produces Avro " + Label.class.getName()
                    + " labels; use format avro, event-id eventId, label label"));
        }
        if (!errors.isEmpty()) {
            throw new PipelineSpecException(errors);
        }
        return spec;
    }

    /** {@link #load} of {@link #defaultFile()}; for tests and tools, where a broken demo file is a bug. */
    public static PipelineSpec loadDefault() {
        Path file = defaultFile();
        try {
            return load(file);
        } catch (PipelineSpecException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}

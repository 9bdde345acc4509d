package io.riffle.cli.streams;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code riffle generate sea|agrawal|hyperplane}: a synthetic drifting stream written as the
 * history {@code riffle replay} replays: {@code events.jsonl} (event id, entity key, event time,
 * the attributes) and {@code labels.jsonl} (event id, label), in the shape of
 * {@code pipelines/<stream>.yaml}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a synthetic drifting stream as events.jsonl and labels.jsonl for",
                "riffle replay (same seed and options, same files). Streams:",
                "  sea         Street & Kim, KDD 2001: x1..x3 uniform in [0,10]; label 1 iff",
                "              x1 + x2 <= theta (8, 9, 7, 9.5 for functions 1-4); --noise of",
                "              the labels flipped.",
                "  agrawal     Agrawal, Imielinski & Swami, IEEE TKDE 1993, as in MOA/River:",
                "              salary, commission, age, elevel, car, zipcode, hvalue, hyears,",
                "              loan; classification functions 1-10.",
                "  hyperplane  Hulten, Spencer & Domingos, KDD 2001, as in MOA: x1..x10 uniform",
                "              in [0,1]; 5 weights move by 0.001 per event (each reverses its",
                "              direction with probability 10%%); --noise of the labels flipped.",
                "Each stream has a pipeline file: pipelines/<stream>.yaml.",
                "",
                "Example: riffle generate sea --events 100000 --drift-at 50000 --out sea",
                ""})
public final class GenerateCommand implements Callable<Integer> {
    static final List<String> STREAMS = List.of("sea", "agrawal", "hyperplane");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", paramLabel = "STREAM", completionCandidates = Streams.class,
            description = "sea, agrawal or hyperplane.")
    String stream;

    @Option(names = "--events", defaultValue = "100000", paramLabel = "N",
            description = "How many events to write. Default: ${DEFAULT-VALUE}.")
    long events;

    @Option(names = "--drift-at", paramLabel = "K", description = "Index (0-based) of the first event after the drift."
            + " sea, agrawal: the concept switches from --function to --drift-function there; hyperplane: the hyperplane"
            + " starts rotating there. Default: no concept switch (sea, agrawal); rotating from the first event (hyperplane).")
    Long driftAt;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder to write events.jsonl and labels.jsonl to (created if missing; files replaced).")
    Path out;

    @Option(names = "--function", paramLabel = "F",
            description = "Concept before the drift: sea 1-4 (default 1), agrawal 1-10 (default 1).")
    Integer function;

    @Option(names = "--drift-function", paramLabel = "F",
            description = "Concept from --drift-at on: sea 1-4 (default 3), agrawal 1-10 (default 4).")
    Integer driftFunction;

    @Option(names = "--noise", defaultValue = "0.1", paramLabel = "FRACTION",
            description = "sea, hyperplane: share of labels flipped. Default: ${DEFAULT-VALUE}.")
    double noise;

    @Option(names = "--perturbation", defaultValue = "0", paramLabel = "FRACTION",
            description = "agrawal: each numeric attribute moves by up to this share of its range (after labeling). Default: ${DEFAULT-VALUE}.")
    double perturbation;

    @Option(names = "--entities", defaultValue = "5000", paramLabel = "N",
            description = "Distinct entity keys (userId u-0 .. u-N-1, drawn at random). Default: ${DEFAULT-VALUE}.")
    int entities;

    @Option(names = "--start", defaultValue = "2026-01-01T00:00:00Z", paramLabel = "INSTANT",
            description = "Event time of the first event (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Instant start;

    @Option(names = "--events-per-second", defaultValue = "500", paramLabel = "R",
            description = "Event-time spacing: R events per second of event time. Default: ${DEFAULT-VALUE}.")
    double eventsPerSecond;

    /** Completion candidates for the stream. */
    static final class Streams implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return STREAMS.iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        if (!STREAMS.contains(stream)) {
            throw new CommandLine.ParameterException(command.commandLine(),
                    "unknown stream '" + stream + "'; choose one of " + String.join(", ", STREAMS));
        }
        if (events < 1 || entities < 1 || !(eventsPerSecond > 0)) {
            throw new CommandLine.ParameterException(command.commandLine(),
                    "--events, --entities and --events-per-second must be above 0");
        }
        LabeledStream source;
        String concept;
        try {
            source = switch (stream) {
                case "sea" -> new SeaStream(seed, or(function, 1), or(driftFunction, 3), driftAt(), noise);
                case "agrawal" -> new AgrawalStream(seed, or(function, 1), or(driftFunction, 4), driftAt(), perturbation);
                default -> HyperplaneStream.standard(seed, noise, driftAt == null ? 0 : driftAt);
            };
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command.commandLine(), e.getMessage());
        }
        concept = switch (stream) {
            case "sea", "agrawal" -> driftAt == null ? "function " + or(function, 1)
                    : String.format(Locale.ROOT, "function %d, then %d from event %,d", or(function, 1),
                    or(driftFunction, stream.equals("sea") ? 3 : 4), driftAt);
            default -> driftAt == null || driftAt == 0 ? "rotating from the first event"
                    : String.format(Locale.ROOT, "rotating from event %,d", driftAt);
        };
        Files.createDirectories(out);
        Path eventsFile = out.resolve("events.jsonl");
        Path labelsFile = out.resolve("labels.jsonl");
        long positives = write(source, eventsFile, labelsFile);
        System.out.printf(Locale.ROOT, "Wrote %,d %s events (%s; %.1f%% positive) to %s and their labels to %s%n",
                events, stream, concept, 100.0 * positives / events, eventsFile, labelsFile);
        System.out.printf(Locale.ROOT, "Replay: riffle replay --config pipelines/%s.yaml --events %s --labels %s%s%n",
                stream, eventsFile, labelsFile, driftAt == null ? "" : " --drift-at " + driftAt);
        return 0;
    }

    private long driftAt() {
        return driftAt == null ? -1 : driftAt;
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    /** Writes both files; the number of positive labels. */
    private long write(LabeledStream source, Path eventsFile, Path labelsFile) throws IOException {
        JsonFactory json = new JsonFactory();
        Random entityDraws = new Random(seed ^ 0x5DEECE66DL);
        long startMillis = start.toEpochMilli();
        long positives = 0;
        try (OutputStream eventsOut = new BufferedOutputStream(Files.newOutputStream(eventsFile), 1 << 16);
             OutputStream labelsOut = new BufferedOutputStream(Files.newOutputStream(labelsFile), 1 << 16);
             JsonGenerator e = json.createGenerator(eventsOut, JsonEncoding.UTF8);
             JsonGenerator l = json.createGenerator(labelsOut, JsonEncoding.UTF8)) {
            e.setRootValueSeparator(null);
            l.setRootValueSeparator(null);
            for (long i = 0; i < events; i++) {
                LabeledRecord r = source.next();
                String id = stream + "-" + i;
                e.writeStartObject();
                e.writeStringField("eventId", id);
                e.writeStringField("userId", "u-" + entityDraws.nextInt(entities));
                e.writeNumberField("eventTime", startMillis + Math.round(i * 1000.0 / eventsPerSecond));
                for (Map.Entry<String, Object> a : r.attributes().entrySet()) {
                    if (a.getValue() instanceof Integer n) {
                        e.writeNumberField(a.getKey(), n);
                    } else {
                        e.writeNumberField(a.getKey(), ((Number) a.getValue()).doubleValue());
                    }
                }
                e.writeEndObject();
                e.writeRaw('\n');
                l.writeStartObject();
                l.writeStringField("eventId", id);
                l.writeNumberField("label", r.label());
                l.writeEndObject();
                l.writeRaw('\n');
                positives += r.label();
            }
        }
        return positives;
    }
}

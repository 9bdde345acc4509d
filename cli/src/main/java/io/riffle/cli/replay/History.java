package io.riffle.cli.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The history {@code riffle replay} replays: the events in file order (each event's id, entity key
 * and JSON bytes as they go to the events topic) and the label of each event id. Events and labels
 * are JSON lines ({@code .jsonl}, {@code .json}) or CSV with a header row ({@code .csv}; each row
 * becomes a JSON object, numbers where the event schema has a number or boolean there). An event
 * without its id or key field, a repeated event id, or a label that is not 0/1 is an error naming
 * the file and line: a replay whose events cannot be told apart cannot be reconciled.
 */
public final class History {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event: its id, its entity key (the Kafka key) and the JSON value. */
    public record Event(String id, String key, byte[] json) { }

    private final List<Event> events;
    private final Map<String, Integer> index;
    private final Map<String, Integer> labels;
    private final long labelsWithoutEvent;

    private History(List<Event> events, Map<String, Integer> index, Map<String, Integer> labels,
                    long labelsWithoutEvent) {
        this.events = events;
        this.index = index;
        this.labels = labels;
        this.labelsWithoutEvent = labelsWithoutEvent;
    }

    /**
     * Reads both files.
     *
     * @param schema the event schema (CSV cells become numbers or booleans where it has them)
     * @param idField the events' id field; {@code keyField} their entity key
     * @param labelIdField the labels' event-id field; {@code labelField} their 0/1 label
     */
    public static History read(Path eventsFile, Path labelsFile, Schema schema, String idField, String keyField,
                               String labelIdField, String labelField) throws HistoryException, IOException {
        List<Event> events = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        forEachRecord(eventsFile, schema, (line, record, raw) -> {
            String id = text(record, idField);
            String key = text(record, keyField);
            if (id == null || key == null) {
                throw new HistoryException(eventsFile + ":" + line + ": the event has no '" + (id == null ? idField : keyField)
                        + "' field (the pipeline's events." + (id == null ? "id" : "key") + ")");
            }
            Integer first = lineOf.putIfAbsent(id, line);
            if (first != null) {
                throw new HistoryException(eventsFile + ":" + line + ": event id '" + id + "' appears again (first on line "
                        + first + "); every event needs its own id to be matched with its score and label");
            }
            index.put(id, events.size());
            // JSON lines go as they are in the file; a CSV row as its JSON object.
            events.add(new Event(id, key, raw != null ? raw.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(record)));
        });
        if (events.isEmpty()) {
            throw new HistoryException(eventsFile + ": no events in the file");
        }
        Map<String, Integer> labels = new HashMap<>();
        long[] orphans = {0};
        forEachRecord(labelsFile, null, (line, record, raw) -> {
            String id = text(record, labelIdField);
            if (id == null) {
                throw new HistoryException(labelsFile + ":" + line + ": the label has no '" + labelIdField
                        + "' field (the pipeline's labels.event-id)");
            }
            Integer label = label(record.get(labelField));
            if (label == null) {
                throw new HistoryException(labelsFile + ":" + line + ": '" + labelField + "' must be 0 or 1 (or false/true), found "
                        + (record.has(labelField) ? record.get(labelField).toString() : "nothing"));
            }
            if (!index.containsKey(id)) {
                orphans[0]++;
                return;
            }
            labels.put(id, label);   // a later label for the same event wins, as in the label join
        });
        return new History(Collections.unmodifiableList(events), index, labels, orphans[0]);
    }

    public List<Event> events() {
        return events;
    }

    public int size() {
        return events.size();
    }

    /** Position of an event id in the file, or -1. */
    public int indexOf(String eventId) {
        Integer i = index.get(eventId);
        return i == null ? -1 : i;
    }

    /** The label of an event, or null when the labels file has none for it. */
    public Integer label(String eventId) {
        return labels.get(eventId);
    }

    public int labeledEvents() {
        return labels.size();
    }

    /** Labels whose event id is not in the events file (not replayed). */
    public long labelsWithoutEvent() {
        return labelsWithoutEvent;
    }

    private static String text(JsonNode record, String field) {
        JsonNode v = record.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static Integer label(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? 1 : 0;
        }
        String t = v.asText().trim();
        return switch (t) {
            case "0", "0.0", "false" -> 0;
            case "1", "1.0", "true" -> 1;
            default -> null;
        };
    }

    private interface RecordHandler {
        /** @param raw the line as read (JSON lines), or null for a CSV row */
        void accept(int line, ObjectNode record, String raw) throws HistoryException, IOException;
    }

    private static void forEachRecord(Path file, Schema schema, RecordHandler handler)
            throws HistoryException, IOException {
        boolean csv = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<String> header = null;
            int lineNumber = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                ObjectNode record;
                if (csv) {
                    List<String> cells = CsvLine.split(line);
                    if (header == null) {
                        header = cells;
                        continue;
                    }
                    record = CsvLine.toJson(header, cells, schema, file + ":" + lineNumber);
                } else {
                    try {
                        JsonNode node = JSON.readTree(line);
                        if (!(node instanceof ObjectNode o)) {
                            throw new HistoryException(file + ":" + lineNumber + ": expected a JSON object per line, found "
                                    + node.getNodeType().name().toLowerCase(Locale.ROOT));
                        }
                        record = o;
                    } catch (JsonProcessingException e) {
                        throw new HistoryException(file + ":" + lineNumber + ": not JSON: " + e.getOriginalMessage());
                    }
                }
                handler.accept(lineNumber, record, csv ? null : line);
            }
        } catch (NoSuchFileException e) {
            throw new HistoryException(file + ": no such file");
        }
    }
}

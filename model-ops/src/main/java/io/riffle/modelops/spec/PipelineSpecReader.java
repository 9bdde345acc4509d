package io.riffle.modelops.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.spec.SpecReader.Section;
import io.riffle.modelops.spec.YamlTree.ListNode;
import io.riffle.modelops.spec.YamlTree.Mark;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.SigningKeys;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a pipeline file section by section into a {@link PipelineSpec}, collecting every error. */
final class PipelineSpecReader {

    static final String[] ROOT_KEYS = {"name", "kafka", "events", "labels", "features", "models", "trainer", "scoring", "privacy", "dashboard"};

    private final SpecReader r;
    private final Path file;

    PipelineSpecReader(String displayName, Path file) {
        this.r = new SpecReader(displayName);
        this.file = file;
    }

    PipelineSpec read(String yaml) throws PipelineSpecException {
        List<YamlTree.Duplicate> duplicates = new ArrayList<>();
        Node root;
        try {
            root = YamlTree.parse(yaml, duplicates);
        } catch (JsonProcessingException e) {
            Mark m = Mark.of(e.getLocation());
            throw new PipelineSpecException(List.of(new SpecError(r.file(), m.line(), m.column(), "",
                    "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new PipelineSpecException(List.of(new SpecError(r.file(), 0, 0, "", "cannot read: " + e)));
        }
        for (YamlTree.Duplicate d : duplicates) {
            r.error(d.mark(), d.key(), "key '" + d.key() + "' appears twice in the same mapping");
        }
        if (root == null) {
            throw new PipelineSpecException(List.of(new SpecError(r.file(), 1, 1, "", "the file is empty; it needs at least "
                    + "'events' and 'features' sections")));
        }
        Section top = r.section(root, "", root.mark());
        if (top == null) {
            throw new PipelineSpecException(inFileOrder(r.errors()));
        }
        top.allow(ROOT_KEYS);
        String fileName = file.getFileName().toString();
        String name = top.text("name", fileName.replaceFirst("\\.ya?ml$", ""));

        KafkaSpec kafka = kafka(top.section("kafka"));
        if (!top.has("events")) {
            top.missing("events", "the Avro schema, entity key and event time of the events");
        }
        Section eventsSection = top.section("events");
        Schema schema = eventsSection == null ? null : schema(eventsSection);
        EventsSpec events = eventsSection == null ? null : events(eventsSection, schema);
        LabelsSpec labels = labels(top.section("labels"), schema);
        ModelsReader modelsReader = new ModelsReader(r, file);
        TrainerSpec trainer = modelsReader.trainer(top.section("trainer"));
        List<ModelsReader.IgnoredName> ignored = new ArrayList<>();
        List<ModelsReader.SegmentName> segments = new ArrayList<>();
        List<ModelSpec> models = modelsReader.models(top, trainer, ignored, segments);
        ScoringSpec scoring = scoring(top.section("scoring"));
        PrivacySpec privacy = top.has("privacy") ? privacy(top.section("privacy"), schema, events) : null;
        DashboardSpec dashboard = dashboard(top.section("dashboard"), schema);

        FeatureSpec features = null;
        if (!top.has("features")) {
            top.missing("features", "the feature vector to compute from each event");
        } else {
            Section fs = top.section("features");
            if (fs != null) {
                features = new FeatureSpecReader(r, schema, r.file()).read(fs,
                        events == null ? null : events.keyField(),
                        events == null ? null : events.timeField(),
                        events == null ? null : events.timeUnit());
            }
        }
        if (features != null) {
            for (ModelsReader.IgnoredName i : ignored) {
                if (!features.names().contains(i.feature())) {
                    r.error(i.mark(), i.path(), "model '" + i.model() + "' ignores '" + i.feature()
                            + "', which is not one of the pipeline's " + features.count() + " features"
                            + Suggestions.didYouMean(i.feature(), features.names()));
                }
            }
            for (ModelsReader.SegmentName seg : segments) {
                if (features.segmentColumns(seg.field()).isEmpty()) {
                    List<String> categorical = features.fields().stream()
                            .filter(f -> f instanceof FieldFeature.Categorical).map(FieldFeature::field).toList();
                    r.error(seg.mark(), seg.path(), "model '" + seg.model() + "' segments by '" + seg.field()
                            + "', which is not a categorical feature of the pipeline (its one-hot columns define"
                            + " the segments); categorical features: "
                            + (categorical.isEmpty() ? "none" : String.join(", ", categorical))
                            + Suggestions.didYouMean(seg.field(), categorical));
                }
            }
        }
        if (!r.errors().isEmpty()) {
            throw new PipelineSpecException(inFileOrder(r.errors()));
        }
        return new PipelineSpec(file, name, kafka, events, schema, labels, features, models,
                trainer == null ? TrainerSpec.defaults() : trainer, scoring, privacy, dashboard);
    }

    /** Sections are read in a fixed order, not the file's: sort so the report reads top to bottom. */
    private static List<SpecError> inFileOrder(List<SpecError> errors) {
        List<SpecError> sorted = new ArrayList<>(errors);
        sorted.sort(java.util.Comparator.comparingInt(SpecError::line).thenComparingInt(SpecError::column));
        return sorted;
    }

    private KafkaSpec kafka(Section s) {
        if (s == null) {
            return null;
        }
        s.allow("bootstrap-servers", "topics", "properties");
        String servers = s.text("bootstrap-servers", KafkaSpec.DEFAULT_BOOTSTRAP_SERVERS);
        KafkaSpec.TopicNames d = KafkaSpec.TopicNames.defaults();
        Section t = s.section("topics");
        KafkaSpec.TopicNames topics = d;
        if (t != null) {
            t.allow("events", "features", "scores", "alerts", "labels", "training", "models", "model-events", "dead-letters",
                    "recommendations");
            topics = new KafkaSpec.TopicNames(t.text("events", d.events()), t.text("features", d.features()),
                    t.text("scores", d.scores()), t.text("alerts", d.alerts()), t.text("labels", d.labels()),
                    t.text("training", d.training()), t.text("models", d.models()),
                    t.text("model-events", d.modelEvents()), t.text("dead-letters", d.deadLetters()),
                    t.text("recommendations", d.recommendations()));
        }
        java.util.Map<String, String> properties = s.stringMap("properties");
        String isolation = properties.get("isolation.level");
        if (isolation != null && !isolation.trim().equals("read_committed")) {
            Section p = s.section("properties");
            r.error(p.valueMark("isolation.level"), p.pathOf("isolation.level"), "'" + isolation + "' is refused: Riffle"
                    + " reads only committed records (read_committed), so remove this property");
        }
        return new KafkaSpec(servers, topics, properties);
    }

    private Schema schema(Section s) {
        String path = s.requiredText("schema", "the Avro schema file (.avsc) of the events, relative to this file");
        if (path == null) {
            return null;
        }
        Path schemaFile = file.getParent().resolve(path).normalize();
        try {
            Schema schema = new Schema.Parser().parse(Files.readString(schemaFile));
            if (schema.getType() != Schema.Type.RECORD) {
                r.error(s.valueMark("schema"), s.pathOf("schema"), "the schema in " + path + " is a "
                        + schema.getType().getName() + "; events must be an Avro record");
                return null;
            }
            return schema;
        } catch (IOException e) {
            r.error(s.valueMark("schema"), s.pathOf("schema"), "cannot read the schema file " + schemaFile + ": " + e);
        } catch (SchemaParseException e) {
            r.error(s.valueMark("schema"), s.pathOf("schema"), "not a valid Avro schema (" + path + "): " + e.getMessage());
        }
        return null;
    }

    private EventsSpec events(Section s, Schema schema) {
        s.allow("schema", "format", "key", "id", "time", "allowed-lateness", "max-record-size", "duplicates");
        DataFormat format = s.choice("format", SpecReader.spellings(DataFormat.class), DataFormat.AVRO);
        String key = s.requiredText("key", "the field naming the entity whose aggregates are kept, e.g. a card or user id");
        String id = s.requiredText("id", "the field that identifies an event; labels refer to it");
        FieldCheck check = new FieldCheck(r, schema, r.file());
        if (key != null) {
            check.field(s, "key", key, SchemaFields.CATEGORICAL, "the entity key");
        }
        if (id != null) {
            check.field(s, "id", id, SchemaFields.CATEGORICAL, "the event id");
        }
        String timeField = null;
        EventsSpec.TimeUnit unit = EventsSpec.TimeUnit.EPOCH_MILLIS;
        Duration maxFuture = EventsSpec.DEFAULT_MAX_FUTURE;
        Duration maxAge = Duration.ZERO;
        if (!s.has("time")) {
            s.missing("time", "the event-time field and its unit, e.g. {field: eventTime, unit: epoch-millis}");
        } else {
            Section t = s.section("time");
            if (t != null) {
                t.allow("field", "unit", "max-future", "max-age");
                timeField = t.requiredText("field", "the event-time field");
                maxFuture = t.duration("max-future", EventsSpec.DEFAULT_MAX_FUTURE);
                maxAge = t.durationOrOff("max-age", Duration.ZERO);
                unit = t.choice("unit", SpecReader.spellings(EventsSpec.TimeUnit.class), EventsSpec.TimeUnit.EPOCH_MILLIS);
                if (timeField != null && unit != null) {
                    var types = switch (unit) {
                        case EPOCH_MILLIS -> java.util.EnumSet.of(Schema.Type.LONG, Schema.Type.INT);
                        case EPOCH_SECONDS -> java.util.EnumSet.of(Schema.Type.LONG, Schema.Type.INT, Schema.Type.DOUBLE);
                        case ISO_8601 -> java.util.EnumSet.of(Schema.Type.STRING);
                    };
                    check.field(t, "field", timeField, types, "an event time in " + SpecReader.spelling(unit));
                }
            }
        }
        Duration lateness = s.duration("allowed-lateness", Duration.ofSeconds(5));
        int maxRecord = s.bytes("max-record-size", EventsSpec.DEFAULT_MAX_RECORD_BYTES, 1_024, 64 << 20);
        EventsSpec.Duplicates duplicates = EventsSpec.Duplicates.defaults();
        if (s.has("duplicates")) {
            Section d = s.section("duplicates");
            if (d != null) {
                d.allow("within", "then");
                duplicates = new EventsSpec.Duplicates(d.durationOrOff("within", EventsSpec.Duplicates.DEFAULT_WITHIN),
                        d.choice("then", SpecReader.spellings(EventsSpec.Duplicates.Then.class),
                                EventsSpec.Duplicates.Then.DEAD_LETTER));
            }
        }
        Path schemaFile = s.text("schema", null) == null ? null : file.getParent().resolve(s.text("schema", null)).normalize();
        return new EventsSpec(schemaFile, format, key, id, timeField, unit == null ? EventsSpec.TimeUnit.EPOCH_MILLIS : unit,
                lateness, maxRecord, maxFuture == null ? EventsSpec.DEFAULT_MAX_FUTURE : maxFuture,
                maxAge == null ? Duration.ZERO : maxAge, duplicates);
    }

    private LabelsSpec labels(Section s, Schema schema) {
        if (s == null) {
            return null;
        }
        s.allow("format", "event-id", "label", "max-delay", "implicit-negative-after", "from-next-event");
        if (s.has("from-next-event")) {
            return nextEventLabels(s, schema);
        }
        LabelsSpec d = LabelsSpec.defaults();
        return new LabelsSpec(
                s.choice("format", SpecReader.spellings(DataFormat.class), d.format()),
                s.text("event-id", d.eventIdField()),
                s.text("label", d.labelField()),
                s.duration("max-delay", d.maxDelay()),
                s.durationOrOff("implicit-negative-after", d.implicitNegativeAfter()));
    }

    /**
     * {@code labels.from-next-event: {field, within}}: the label of an event is {@code field} of
     * its entity's next event within {@code within}. No labels topic is read, so the settings of
     * one are refused rather than silently ignored.
     */
    private LabelsSpec nextEventLabels(Section s, Schema schema) {
        for (String topicSetting : List.of("format", "event-id", "label", "max-delay", "implicit-negative-after")) {
            if (s.has(topicSetting)) {
                r.error(s.keyMark(topicSetting), s.pathOf(topicSetting), "'" + topicSetting + "' is a setting of the"
                        + " labels topic, which is not read when labels come from the next event (from-next-event):"
                        + " remove it" + ("max-delay".equals(topicSetting)
                        ? " (from-next-event.within says how long an event waits for its label)" : ""));
            }
        }
        Section n = s.section("from-next-event");
        if (n == null) {
            return null;
        }
        n.allow("field", "within");
        String field = n.requiredText("field", "the event field whose value on the entity's next event is the label,"
                + " e.g. item_id");
        if (field != null) {
            new FieldCheck(r, schema, r.file()).field(n, "field", field, SchemaFields.CATEGORICAL,
                    "a label taken from the next event");
        }
        Duration within = n.requiredDuration("within", "how long after an event (event time) its entity's next event"
                + " still labels it, e.g. 30m");
        if (within != null && within.isZero()) {
            r.error(n.valueMark("within"), n.pathOf("within"), "must be above 0: a next event at most this long"
                    + " after an event labels it (e.g. 30m)");
        }
        return LabelsSpec.fromNextEvent(new LabelsSpec.NextEvent(field, within));
    }

    /** {@code dashboard:}: the event field the page segments by (any scalar field of the schema), the PSI flag. */
    private DashboardSpec dashboard(Section s, Schema schema) {
        if (s == null) {
            return DashboardSpec.defaults();
        }
        s.allow("segment-by", "psi-threshold");
        String segmentBy = s.text("segment-by", null);
        if (segmentBy != null && !new FieldCheck(r, schema, r.file()).field(s, "segment-by", segmentBy,
                SchemaFields.ANY_SCALAR, "the dashboard's segment field")) {
            segmentBy = null;
        }
        double psi = s.number("psi-threshold", DashboardSpec.DEFAULT_PSI_THRESHOLD, 0.0, 10.0);
        return new DashboardSpec(segmentBy, psi);
    }

    /**
     * {@code privacy:}: the PII fields (each in the schema, neither the event id nor the event
     * time, which every output carries in the clear) and the HMAC key, at least
     * {@link PrivacySpec#MIN_KEY_BYTES} bytes. Errors never quote the key.
     */
    private PrivacySpec privacy(Section s, Schema schema, EventsSpec events) {
        if (s == null) {
            return null;
        }
        s.allow("pii", "key");
        List<String> pii = new ArrayList<>();
        FieldCheck check = new FieldCheck(r, schema, r.file());
        List<Node> items = s.list("pii");
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemPath = SpecReader.index(s.pathOf("pii"), i);
            if (!(item instanceof ScalarNode sn) || sn.isNull() || sn.text() == null || sn.text().isBlank()) {
                r.error(item.mark(), itemPath, "expected the name of an event field, found " + item.describe());
                continue;
            }
            String field = sn.text();
            if (pii.contains(field)) {
                r.error(item.mark(), itemPath, "field '" + field + "' is listed twice");
                continue;
            }
            if (!check.field(item.mark(), itemPath, field, SchemaFields.ANY_SCALAR, "a PII field")) {
                continue;
            }
            if (events != null && field.equals(events.idField())) {
                r.error(item.mark(), itemPath, "'" + field + "' is the event id (events.id), which scores, features"
                        + " and labels carry in the clear to join on; it cannot be PII");
                continue;
            }
            if (events != null && field.equals(events.timeField())) {
                r.error(item.mark(), itemPath, "'" + field + "' is the event time (events.time.field), which every"
                        + " output carries in the clear; it cannot be PII");
                continue;
            }
            pii.add(field);
        }
        String key = s.requiredText("key", "the HMAC-SHA256 key of the tokens, at least " + PrivacySpec.MIN_KEY_BYTES
                + " bytes, e.g. ${env:RIFFLE_PII_KEY}");
        if (key == null) {
            return null;
        }
        byte[] bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length < PrivacySpec.MIN_KEY_BYTES) {
            // (only its length: the key is a secret)
            r.error(s.valueMark("key"), s.pathOf("key"), "the HMAC key is " + bytes.length + " bytes; it needs at least "
                    + PrivacySpec.MIN_KEY_BYTES + " (e.g. 32 random bytes, base64: openssl rand -base64 32)");
            return null;
        }
        return new PrivacySpec(pii, bytes);
    }

    private ScoringSpec scoring(Section s) {
        ScoringSpec d = ScoringSpec.defaults();
        if (s == null) {
            return d;
        }
        s.allow("batch-size", "max-delay", "cuda-batch-size", "cuda-max-delay", "device", "delivery", "parallelism", "output-timestamp",
                "on-model-failure", "cuda-tf32", "trusted-keys", "require-spec-hash");
        DeviceRequest device = d.device();
        String deviceText = s.text("device", null);
        if (deviceText != null) {
            try {
                device = DeviceRequest.parse(deviceText);
            } catch (IllegalArgumentException e) {
                r.error(s.valueMark("device"), s.pathOf("device"), e.getMessage());
            }
        }
        return new ScoringSpec(
                s.integer("batch-size", d.batchSize(), 1, 1 << 20),
                s.duration("max-delay", d.maxDelay()),
                s.integer("cuda-batch-size", d.cudaBatchSize(), 1, 1 << 20),
                s.duration("cuda-max-delay", d.cudaMaxDelay()),
                device,
                s.choice("delivery", SpecReader.spellings(ScoringSpec.Delivery.class), d.delivery()),
                s.integer("parallelism", d.parallelism(), 1, 4096),
                s.choice("output-timestamp", SpecReader.spellings(OutputTimestamp.class), d.outputTimestamp()),
                s.choice("on-model-failure", SpecReader.spellings(io.riffle.schemas.Decision.class), d.onModelFailure()),
                s.bool("cuda-tf32", d.cudaTf32()),
                trustedKeys(s),
                s.bool("require-spec-hash", d.requireSpecHash()));
    }

    /**
     * {@code scoring.trusted-keys}: public key files relative to this file, each read now (the job
     * ships their bytes to the scorers, so they are needed only where the job is built).
     */
    private List<Path> trustedKeys(Section s) {
        List<Path> keys = new ArrayList<>();
        List<Node> items = s.list("trusted-keys");
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemPath = SpecReader.index(s.pathOf("trusted-keys"), i);
            if (!(item instanceof ScalarNode sn) || sn.isNull() || sn.text() == null || sn.text().isBlank()) {
                r.error(item.mark(), itemPath, "expected the path of a public key file (NAME.pub from 'riffle models"
                        + " keygen'), found " + item.describe());
                continue;
            }
            Path key = file.getParent().resolve(sn.text()).normalize();
            try {
                SigningKeys.readPublic(key);
                keys.add(key);
            } catch (KeyFileException e) {
                r.error(item.mark(), itemPath, e.getMessage());
            }
        }
        if (s.has("trusted-keys") && items.isEmpty() && s.raw("trusted-keys") instanceof ListNode) {
            r.error(s.valueMark("trusted-keys"), s.pathOf("trusted-keys"), "the list is empty: name at least one public"
                    + " key file, or leave trusted-keys out to serve unsigned models");
        }
        return keys;
    }

    /** Checks that a field exists in the event schema and has an allowed type, naming the schema's fields when not. */
    static final class FieldCheck {
        private final SpecReader r;
        private final Schema schema;

        FieldCheck(SpecReader r, Schema schema, String file) {
            this.r = r;
            this.schema = schema;
        }

        /** True when usable (or when there is no schema to check against: its own error is already reported). */
        boolean field(Section s, String key, String field, Set<Schema.Type> types, String purpose) {
            return field(s.valueMark(key), s.pathOf(key), field, types, purpose);
        }

        boolean field(Mark mark, String path, String field, Set<Schema.Type> types, String purpose) {
            if (schema == null) {
                return true;
            }
            Schema.Field f = schema.getField(field);
            List<String> names = SchemaFields.fieldNames(schema);
            if (f == null) {
                r.error(mark, path, "field '" + field + "' is not in the event schema " + schema.getName()
                        + Suggestions.didYouMean(field, names) + "; its fields are: " + String.join(", ", names));
                return false;
            }
            Schema.Type t = SchemaFields.baseType(f);
            if (t == null || !types.contains(t)) {
                String hint = types == SchemaFields.NUMERIC && (t == Schema.Type.STRING || t == Schema.Type.ENUM)
                        ? " (use a categorical feature or distinct for a " + SchemaFields.typeName(f) + " field)" : "";
                r.error(mark, path, purpose + " needs a field of type " + SchemaFields.names(types) + ", but '" + field
                        + "' is " + SchemaFields.typeName(f) + hint);
                return false;
            }
            return true;
        }
    }
}

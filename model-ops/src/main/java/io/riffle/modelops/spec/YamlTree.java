package io.riffle.modelops.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers where every key and value was written. Jackson's
 * {@code JsonNode} drops locations, and data binding stops at the first error; walking the
 * {@code YAMLParser}'s tokens ourselves keeps each token's {@link JsonLocation} so that every
 * validation error can name its line.
 */
final class YamlTree {

    /** A 1-based line and column in the file. */
    record Mark(int line, int column) {
        static Mark of(JsonLocation loc) {
            return loc == null ? new Mark(0, 0) : new Mark(loc.getLineNr(), loc.getColumnNr());
        }
    }

    sealed interface Node permits MapNode, ListNode, ScalarNode {
        Mark mark();

        /** What the node is, for "expected a list, found a mapping" messages. */
        String describe();
    }

    record Entry(String key, Mark keyMark, Node value) {}

    record MapNode(Mark mark, Map<String, Entry> entries) implements Node {
        Node get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record ListNode(Mark mark, List<Node> items) implements Node {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A scalar; {@code text} is null for YAML null ({@code ~}, {@code null} or nothing). */
    record ScalarNode(Mark mark, String text, JsonToken token) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isNumber() {
            return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        @Override
        public String describe() {
            return isNull() ? "nothing (null)" : "'" + text + "'";
        }
    }

    /** A duplicate key found while reading: YAML forbids them and the later one would silently win. */
    record Duplicate(String key, Mark mark) {}

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTree() {}

    /** Parses {@code yaml}; {@code duplicates} receives repeated keys. Returns null for an empty document. */
    static Node parse(String yaml, List<Duplicate> duplicates) throws IOException {
        try (JsonParser p = FACTORY.createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            return read(p, duplicates);
        }
    }

    private static Node read(JsonParser p, List<Duplicate> duplicates) throws IOException {
        JsonToken t = p.currentToken();
        Mark mark = Mark.of(p.currentTokenLocation());
        switch (t) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    Mark keyMark = Mark.of(p.currentTokenLocation());
                    p.nextToken();
                    Node value = read(p, duplicates);
                    if (entries.containsKey(key)) {
                        duplicates.add(new Duplicate(key, keyMark));
                    } else {
                        entries.put(key, new Entry(key, keyMark, value));
                    }
                }
                return new MapNode(mark, Collections.unmodifiableMap(entries));
            }
            case START_ARRAY: {
                List<Node> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p, duplicates));
                }
                return new ListNode(mark, List.copyOf(items));
            }
            case VALUE_NULL:
                return new ScalarNode(mark, null, t);
            case VALUE_STRING:
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new ScalarNode(mark, p.getText(), t);
            default:
                throw new JsonParseException(p, "unexpected YAML token " + t);
        }
    }
}

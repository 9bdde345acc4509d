package io.riffle.modelops.spec;

import io.riffle.modelops.spec.YamlTree.Entry;
import io.riffle.modelops.spec.YamlTree.ListNode;
import io.riffle.modelops.spec.YamlTree.MapNode;
import io.riffle.modelops.spec.YamlTree.Mark;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to a {@link YamlTree} that records a {@link SpecError} instead of throwing, so one
 * pass reports every problem in the file. Each accessor returns the default (or null) when the
 * value is absent or wrong; callers only build the spec when {@link #errors()} stays empty.
 */
final class SpecReader {
    /** {@code ${env:NAME}} in a value: the environment variable NAME. */
    private static final java.util.regex.Pattern ENV = java.util.regex.Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private final String file;
    private final List<SpecError> errors = new ArrayList<>();

    SpecReader(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    List<SpecError> errors() {
        return errors;
    }

    void error(Mark mark, String path, String message) {
        errors.add(new SpecError(file, mark.line(), mark.column(), path, message));
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    /** {@code node} as a section, or null (with an error) when it is not a mapping. */
    Section section(Node node, String path, Mark mark) {
        if (node instanceof MapNode m) {
            return new Section(m, path, mark);
        }
        error(node.mark(), path, "expected a mapping of keys, found " + node.describe());
        return null;
    }

    /** A mapping in the file, with where it was written (the key that holds it). */
    final class Section {
        final MapNode node;
        final String path;
        final Mark mark;

        private Section(MapNode node, String path, Mark mark) {
            this.node = node;
            this.path = path;
            this.mark = mark;
        }

        /** An error for every key not in {@code allowed}, with a suggestion for near misses. */
        void allow(String... allowed) {
            List<String> list = List.of(allowed);
            for (Entry e : node.entries().values()) {
                if (!list.contains(e.key())) {
                    error(e.keyMark(), child(path, e.key()), "unknown key '" + e.key() + "'"
                            + Suggestions.didYouMean(e.key(), list) + "; allowed here: " + String.join(", ", list));
                }
            }
        }

        boolean has(String key) {
            return node.entries().containsKey(key);
        }

        Node raw(String key) {
            return node.get(key);
        }

        Mark keyMark(String key) {
            Entry e = node.entries().get(key);
            return e == null ? mark : e.keyMark();
        }

        Mark valueMark(String key) {
            Node n = node.get(key);
            return n == null ? mark : n.mark();
        }

        String pathOf(String key) {
            return child(path, key);
        }

        void missing(String key, String what) {
            error(mark, pathOf(key), "missing required key '" + key + "' (" + what + ")");
        }

        /** The nested mapping under {@code key}; an empty one when absent (so defaults apply), null if not a mapping. */
        Section section(String key) {
            Entry e = node.entries().get(key);
            if (e == null) {
                return new Section(new MapNode(mark, Collections.emptyMap()), pathOf(key), mark);
            }
            if (e.value() instanceof ScalarNode s && s.isNull()) {
                return new Section(new MapNode(e.keyMark(), Collections.emptyMap()), pathOf(key), e.keyMark());
            }
            return SpecReader.this.section(e.value(), pathOf(key), e.keyMark());
        }

        /** The list under {@code key}: empty when absent; a single scalar is not accepted as a list. */
        List<Node> list(String key) {
            Node n = node.get(key);
            if (n == null || (n instanceof ScalarNode s && s.isNull())) {
                return List.of();
            }
            if (n instanceof ListNode l) {
                return l.items();
            }
            error(n.mark(), pathOf(key), "expected a list, found " + n.describe());
            return List.of();
        }

        /** A scalar written as text (numbers and booleans keep their spelling); null if absent. */
        String text(String key, String def) {
            Node n = node.get(key);
            if (n == null || (n instanceof ScalarNode s && s.isNull())) {
                return def;
            }
            if (n instanceof ScalarNode s) {
                return expand(s, pathOf(key));
            }
            error(n.mark(), pathOf(key), "expected a single value, found " + n.describe());
            return def;
        }

        /**
         * The scalar's text with every {@code ${env:NAME}} replaced by that environment variable, so
         * a file can name secrets (SASL passwords, keys) without holding them; an unset variable is
         * an error naming it (never its value: these are secrets).
         */
        private String expand(ScalarNode s, String path) {
            String text = s.text();
            if (text == null || !text.contains("${env:")) {
                return text;
            }
            java.util.regex.Matcher m = ENV.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = System.getenv(m.group(1));
                if (value == null) {
                    error(s.mark(), path, "environment variable " + m.group(1) + " is not set (the file reads it as ${env:"
                            + m.group(1) + "})");
                    value = "";
                }
                m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            return out.toString();
        }

        String requiredText(String key, String what) {
            if (!has(key) || (raw(key) instanceof ScalarNode s && s.isNull())) {
                missing(key, what);
                return null;
            }
            return text(key, null);
        }

        Duration duration(String key, Duration def) {
            String t = text(key, null);
            if (t == null) {
                return def;
            }
            try {
                return Durations.parse(t);
            } catch (IllegalArgumentException e) {
                error(valueMark(key), pathOf(key), e.getMessage());
                return def;
            }
        }

        Duration requiredDuration(String key, String what) {
            if (!has(key)) {
                missing(key, what + "; " + Durations.ALLOWED);
                return null;
            }
            return duration(key, null);
        }

        /** A duration that is also allowed to be {@code off}; {@link Duration#ZERO} means off. */
        Duration durationOrOff(String key, Duration def) {
            String t = text(key, null);
            if ("off".equals(t) || "false".equals(t)) {
                return Duration.ZERO;
            }
            return duration(key, def);
        }

        int integer(String key, int def, int min, int max) {
            Node n = node.get(key);
            if (n == null || (n instanceof ScalarNode s0 && s0.isNull())) {
                return def;
            }
            if (n instanceof ScalarNode s && s.token() == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT) {
                try {
                    long v = Long.parseLong(s.text().replace("_", ""));
                    if (v >= min && v <= max) {
                        return (int) v;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            error(n.mark(), pathOf(key), "expected a whole number from " + min + " to " + max + ", found " + n.describe());
            return def;
        }

        /**
         * A size in bytes, written as a whole number of bytes or with a unit ({@code 512KiB},
         * {@code 1MiB}, {@code 64KB}, {@code 1MB}), from {@code min} to {@code max}.
         */
        int bytes(String key, int def, int min, int max) {
            String t = text(key, null);
            if (t == null) {
                return def;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([0-9_]+)\\s*(B|KB|KiB|MB|MiB)?\\s*").matcher(t);
            if (m.matches()) {
                try {
                    long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
                        case "KB" -> 1_000L;
                        case "KiB" -> 1_024L;
                        case "MB" -> 1_000_000L;
                        case "MiB" -> 1_048_576L;
                        default -> 1L;
                    };
                    long v = Math.multiplyExact(Long.parseLong(m.group(1).replace("_", "")), unit);
                    if (v >= min && v <= max) {
                        return (int) v;
                    }
                } catch (ArithmeticException | NumberFormatException ignored) {
                    // reported below
                }
            }
            error(valueMark(key), pathOf(key), "expected a size from " + min + " to " + max
                    + " bytes such as 262144, 256KiB or 1MiB, found '" + t + "'");
            return def;
        }

        double number(String key, double def, double min, double max) {
            Node n = node.get(key);
            if (n == null || (n instanceof ScalarNode s0 && s0.isNull())) {
                return def;
            }
            Double v = n instanceof ScalarNode s && s.isNumber() ? parseDouble(s.text()) : null;
            if (v != null && v >= min && v <= max) {
                return v;
            }
            error(n.mark(), pathOf(key), "expected a number from " + min + " to " + max + ", found " + n.describe());
            return def;
        }

        boolean bool(String key, boolean def) {
            Node n = node.get(key);
            if (n == null || (n instanceof ScalarNode s0 && s0.isNull())) {
                return def;
            }
            if (n instanceof ScalarNode s && s.isBoolean()) {
                return Boolean.parseBoolean(s.text());
            }
            error(n.mark(), pathOf(key), "expected true or false, found " + n.describe());
            return def;
        }

        /** One of {@code allowed} (written in the file's spelling); the error lists them all. */
        <E> E choice(String key, Map<String, E> allowed, E def) {
            String t = text(key, null);
            if (t == null) {
                return def;
            }
            E v = allowed.get(t);
            if (v == null) {
                error(valueMark(key), pathOf(key), "'" + t + "' is not allowed" + Suggestions.didYouMean(t, allowed.keySet())
                        + "; allowed: " + String.join(", ", allowed.keySet()));
                return def;
            }
            return v;
        }

        <E> E requiredChoice(String key, Map<String, E> allowed) {
            if (!has(key)) {
                missing(key, "one of " + String.join(", ", allowed.keySet()));
                return null;
            }
            return choice(key, allowed, null);
        }

        /** A mapping of plain values, as written, e.g. Kafka client properties. */
        Map<String, String> stringMap(String key) {
            Section s = section(key);
            Map<String, String> out = new LinkedHashMap<>();
            if (s == null) {
                return out;
            }
            for (Entry e : s.node.entries().values()) {
                if (e.value() instanceof ScalarNode v && !v.isNull()) {
                    out.put(e.key(), expand(v, s.pathOf(e.key())));
                } else {
                    error(e.value().mark(), s.pathOf(e.key()), "expected a single value, found " + e.value().describe());
                }
            }
            return out;
        }
    }

    static Double parseDouble(String text) {
        try {
            return Double.parseDouble(text.replace("_", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Values of {@code E} by their file spelling: lower case, '-' for '_' ({@code AT_LEAST_ONCE} -> {@code at-least-once}). */
    static <E extends Enum<E>> Map<String, E> spellings(Class<E> type) {
        Map<String, E> m = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            m.put(spelling(e), e);
        }
        return Collections.unmodifiableMap(m);
    }

    static String spelling(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}

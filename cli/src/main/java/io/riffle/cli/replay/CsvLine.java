package io.riffle.cli.replay;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;

import java.util.ArrayList;
import java.util.List;

/** One CSV line (RFC 4180 quoting, no line breaks inside a cell) and its row as a JSON object. */
final class CsvLine {
    private CsvLine() {}

    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    /**
     * The row as an object of the header's names: an empty cell is null; a cell under a numeric or
     * boolean field of {@code schema} (or, without a schema, any cell that reads as a number) is a
     * number or boolean; everything else is text.
     */
    static ObjectNode toJson(List<String> header, List<String> cells, Schema schema, String where)
            throws HistoryException {
        if (cells.size() != header.size()) {
            throw new HistoryException(where + ": " + cells.size() + " cells, but the header has " + header.size());
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i).trim();
            String v = cells.get(i).trim();
            if (v.isEmpty()) {
                o.putNull(name);
                continue;
            }
            Schema.Type type = schema == null ? null : baseType(schema.getField(name));
            try {
                if (type == Schema.Type.INT || type == Schema.Type.LONG) {
                    o.put(name, Long.parseLong(v));
                } else if (type == Schema.Type.FLOAT || type == Schema.Type.DOUBLE) {
                    o.put(name, Double.parseDouble(v));
                } else if (type == Schema.Type.BOOLEAN) {
                    o.put(name, Boolean.parseBoolean(v));
                } else if (schema == null && v.matches("-?\\d+")) {
                    o.put(name, Long.parseLong(v));
                } else {
                    o.put(name, v);
                }
            } catch (NumberFormatException e) {
                throw new HistoryException(where + ": '" + v + "' in column " + name + " is not a number");
            }
        }
        return o;
    }

    private static Schema.Type baseType(Schema.Field field) {
        if (field == null) {
            return null;
        }
        Schema s = field.schema();
        if (s.getType() == Schema.Type.UNION) {
            for (Schema branch : s.getTypes()) {
                if (branch.getType() != Schema.Type.NULL) {
                    return branch.getType();
                }
            }
        }
        return s.getType();
    }
}

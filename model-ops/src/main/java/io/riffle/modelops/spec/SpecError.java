package io.riffle.modelops.spec;

/**
 * One problem in a pipeline file. {@code line} and {@code column} are 1-based and point at the
 * offending key or value (0 when the problem has no place in the file, e.g. an unreadable file);
 * {@code path} is the field path such as {@code features.fields[2].clip}.
 */
public record SpecError(String file, int line, int column, String path, String message) {

    /** {@code file:line:column: path: message}, the form compilers use so editors can jump to it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (path != null && !path.isEmpty()) {
            sb.append(path).append(": ");
        }
        return sb.append(message).toString();
    }
}

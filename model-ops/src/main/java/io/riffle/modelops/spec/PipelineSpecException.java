package io.riffle.modelops.spec;

import java.util.List;

/** A pipeline file that cannot be used; carries every problem found, not only the first. */
public final class PipelineSpecException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<SpecError> errors;

    public PipelineSpecException(List<SpecError> errors) {
        super(render(errors));
        this.errors = List.copyOf(errors);
    }

    public List<SpecError> errors() {
        return errors;
    }

    /**
     * What a command prints before it gives up on {@code file}: "{@code verdict}: N problem(s) in
     * FILE:" and every problem on its own indented line (file:line:column: field: message).
     */
    public String report(String verdict, Object file) {
        StringBuilder sb = new StringBuilder(verdict).append(": ").append(errors.size()).append(" problem(s) in ")
                .append(file).append(':');
        for (SpecError e : errors) {
            sb.append(System.lineSeparator()).append("  ").append(e);
        }
        return sb.toString();
    }

    private static String render(List<SpecError> errors) {
        StringBuilder sb = new StringBuilder();
        sb.append(errors.size() == 1 ? "1 error" : errors.size() + " errors").append(" in pipeline file");
        if (!errors.isEmpty()) {
            sb.append(' ').append(errors.get(0).file());
        }
        sb.append(':');
        for (SpecError e : errors) {
            sb.append(System.lineSeparator()).append("  ").append(e);
        }
        return sb.toString();
    }
}

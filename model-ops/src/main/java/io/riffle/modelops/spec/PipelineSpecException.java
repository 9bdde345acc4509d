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

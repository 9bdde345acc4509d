package io.riffle.jobs;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the jobs' {@code *Options} classes share: listing their options, the README tables, delivery parsing. */
public final class OptionTables {
    private OptionTables() {}

    /** The public static {@link ConfigOption} fields of {@code holder}, in declaration order. */
    public static List<ConfigOption<?>> declaredIn(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field f : holder.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    options.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    /** A Markdown reference table of {@code options}: key, default, description. */
    public static String markdown(List<ConfigOption<?>> options) {
        StringBuilder table = new StringBuilder("| option | default | meaning |\n|---|---|---|\n");
        HtmlFormatter formatter = new HtmlFormatter();
        for (ConfigOption<?> option : options) {
            Object value = option.defaultValue();
            String shown = value instanceof Duration d ? d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms"
                    : value instanceof List<?> list ? String.join(";", list.stream().map(String::valueOf).toList())
                    : String.valueOf(value);
            table.append("| `").append(option.key()).append("` | `").append(shown.isEmpty() ? "(empty)" : shown)
                    .append("` | ").append(formatter.format(option.description()).replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}

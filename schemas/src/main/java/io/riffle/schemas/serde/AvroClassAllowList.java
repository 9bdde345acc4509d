package io.riffle.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Avro 1.12 refuses to instantiate classes outside an allow-list when it resolves a writer
 * schema or builds a generated record ({@code SecurityException: Forbidden ...}). Every JVM that
 * decodes Riffle records (each Flink task manager included) must trust {@code io.riffle.schemas};
 * decoders call this when they initialise, so no job class has to remember it. The system
 * property is read once by Avro, so the global validator is extended instead.
 */
public final class AvroClassAllowList {
    static final String PACKAGE_PREFIX = "io.riffle.schemas.";

    private static volatile boolean installed;

    private AvroClassAllowList() {}

    public static void allowRiffleRecords() {
        if (installed) {
            return;
        }
        synchronized (AvroClassAllowList.class) {
            if (!installed) {
                ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
                ClassSecurityPredicate riffle = c -> c.getName().startsWith(PACKAGE_PREFIX);
                ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current, riffle));
                installed = true;
            }
        }
    }
}

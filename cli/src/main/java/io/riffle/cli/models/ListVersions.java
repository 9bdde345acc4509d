package io.riffle.cli.models;

import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.registry.ModelRegistryException;
import io.riffle.schemas.ModelVersion;
import io.riffle.schemas.Topics;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code riffle models list}: a table of every version on the models topic. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = "List the model versions on the models topic (oldest first within each partition).")
public final class ListVersions implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    RegistryOptions registry;

    @Override
    public Integer call() {
        List<ModelVersion> versions;
        try (ModelRegistry models = registry.open()) {
            versions = models.list(registry.timeout);
        } catch (ModelRegistryException e) {
            spec.commandLine().getErr().println("cannot list models: " + e.getMessage());
            return Publish.EXIT_KAFKA;
        }
        print(versions, spec.commandLine().getOut());
        return 0;
    }

    static void print(List<ModelVersion> versions, PrintWriter out) {
        String format = "%-24s %7s %-8s %-10s %8s %-12s %s%n";
        out.printf(format, "NAME", "VERSION", "TASK", "ROLE", "FEATURES", "SHA256", "CREATED AT");
        for (ModelVersion mv : versions) {
            String sha = mv.getSha256() == null ? "" : mv.getSha256().substring(0, Math.min(12, mv.getSha256().length()));
            out.printf(format, mv.getName(), mv.getVersion(), mv.getTask().name().toLowerCase(),
                    mv.getRole().name().toLowerCase(), mv.getFeatureCount(), sha,
                    TIME.format(java.time.Instant.ofEpochMilli(mv.getCreatedAt())));
        }
        if (versions.isEmpty()) {
            out.println("(no model versions)");
        }
        out.flush();
    }
}

package io.riffle.modelops.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the pipeline files shipped with Riffle ({@code pipelines/} of the installation) are:
 * under {@code -D}{@value #HOME_PROPERTY} (the {@code riffle} launcher passes its folder), else
 * under the working directory or its parent (module tests run in the module's folder).
 */
public final class PipelineFiles {

    /** System property naming the Riffle installation folder (set by the launcher script). */
    public static final String HOME_PROPERTY = "riffle.home";
    /** The demo's pipeline, relative to the installation folder. */
    public static final String DEMO = "pipelines/demo.yaml";
    /** The recommendations demo's pipeline ({@code riffle demo --scenario recommendations}). */
    public static final String RECOMMENDATIONS = "pipelines/recommendations.yaml";

    private PipelineFiles() {}

    /**
     * {@code relative} (e.g. {@value #DEMO}) under the installation; the first candidate when none
     * exists, so that an error names the expected place.
     */
    public static Path shipped(String relative) {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty(HOME_PROPERTY);
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home).resolve(relative));
        }
        candidates.add(Path.of(relative));
        candidates.add(Path.of("..").resolve(relative));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return candidates.get(0);
    }
}

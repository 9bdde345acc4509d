package io.riffle.modelops.testing;

import io.riffle.modelops.registry.ModelsTopic;
import io.riffle.schemas.ModelVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A models topic held in a list, for tests of what publishes or reads versions without a broker. */
public final class InMemoryModelsTopic implements ModelsTopic {

    private final List<ModelVersion> versions = new ArrayList<>();

    @Override
    public synchronized List<ModelVersion> list(Duration timeout) {
        return List.copyOf(versions);
    }

    @Override
    public synchronized int nextVersion(String name, Duration timeout) {
        return versions.stream().filter(v -> v.getName().equals(name)).mapToInt(ModelVersion::getVersion)
                .max().orElse(0) + 1;
    }

    @Override
    public synchronized void publish(ModelVersion mv) {
        versions.add(mv);
    }
}

package io.riffle.modelops.registry;

import io.riffle.schemas.ModelVersion;
import java.time.Duration;
import java.util.List;

/**
 * The models topic as its writers see it: what is on it, and a way to add a version. {@link
 * ModelRegistry} is the Kafka one; a test can hold the versions in a list instead, so the
 * publisher and the trainer's candidate check run without a broker.
 */
public interface ModelsTopic {

    /** Every version on the topic, in the order it was written. */
    List<ModelVersion> list(Duration timeout);

    /** 1 + the highest version of {@code name} on the topic, or 1 if there is none (or no topic yet). */
    int nextVersion(String name, Duration timeout);

    /** Writes {@code mv} and waits until it is stored. */
    void publish(ModelVersion mv);
}

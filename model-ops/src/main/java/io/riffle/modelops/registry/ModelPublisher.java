package io.riffle.modelops.registry;

import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.ModelSigner;
import io.riffle.schemas.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The one way a model version reaches the models topic, for every producer (the trainer, {@code
 * riffle models publish}, the demo's bootstrap models, the bench): numbered after the highest
 * version of its name on the topic (or as given), signed last when there is a signing key (the
 * signature covers the name, version, role and thresholds, so nothing may change after it), and
 * written with acks=all. Not thread-safe, like the {@link ModelRegistry} it writes through.
 */
public final class ModelPublisher implements AutoCloseable {

    /** How long a look at the topic (for the next version) may take. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final ModelsTopic topic;
    private final ModelSigner signer;
    private final AutoCloseable owned;

    /** Publishes to {@code topic} (left open by {@link #close}), signing with {@code signer} when not null. */
    public ModelPublisher(ModelsTopic topic, ModelSigner signer) {
        this(topic, signer, null);
    }

    private ModelPublisher(ModelsTopic topic, ModelSigner signer, AutoCloseable owned) {
        this.topic = topic;
        this.signer = signer;
        this.owned = owned;
    }

    /**
     * A publisher with a registry of its own on {@code modelsTopic} at {@code bootstrapServers},
     * its clients given {@code kafkaProperties} (the pipeline file's security settings); closed
     * with it.
     */
    public static ModelPublisher open(String bootstrapServers, String modelsTopic, Map<String, String> kafkaProperties,
                                      ModelSigner signer) {
        return owning(new ModelRegistry(bootstrapServers, modelsTopic, kafkaProperties), signer);
    }

    /** A publisher writing through {@code registry}, which it closes when closed. */
    public static ModelPublisher owning(ModelRegistry registry, ModelSigner signer) {
        return new ModelPublisher(registry, signer, registry);
    }

    /** The signer of the private key in {@code file}, or null when {@code file} is null (unsigned versions). */
    public static ModelSigner signer(Path file) throws KeyFileException {
        return file == null ? null : ModelSigner.fromFile(file);
    }

    /** The topic it writes to (and the trainer reads its champion from). */
    public ModelsTopic topic() {
        return topic;
    }

    /** Where the signing key came from, or null when versions go out unsigned. */
    public String signedWith() {
        return signer == null ? null : signer.source();
    }

    /** The version the next publication of {@code name} should carry. */
    public int nextVersion(String name) {
        return nextVersion(name, READ_TIMEOUT);
    }

    /** As {@link #nextVersion(String)}, waiting at most {@code timeout} for the topic. */
    public int nextVersion(String name, Duration timeout) {
        return topic.nextVersion(name, timeout);
    }

    /**
     * Publishes {@code mv} as it is numbered (signed when there is a key) and returns what was
     * written.
     *
     * @throws ModelRegistryException naming topic, broker and cause when the write fails
     */
    public ModelVersion publish(ModelVersion mv) {
        // Signed last: the signature covers every field set before this call.
        ModelVersion out = signer == null ? mv : signer.sign(mv);
        topic.publish(out);
        return out;
    }

    /** {@link #publish} of {@code mv} numbered as the next version of its name. */
    public ModelVersion publishNext(ModelVersion mv) {
        return publish(ModelVersion.newBuilder(mv).setVersion(nextVersion(mv.getName())).build());
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new ModelRegistryException("could not close the models topic's clients: " + e.getMessage(), e);
            }
        }
    }
}

package io.riffle.modelops.trust;

import io.riffle.schemas.ModelVersion;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Checks model versions' signatures against a set of trusted Ed25519 public keys. It carries the
 * keys' encoded bytes, not file names: it is built where the key files are (the client that
 * builds a job) and serialized to task managers that may not have them. Without keys it trusts
 * nothing in particular ({@link #isEmpty()}) and callers skip the check. {@link #verify} never
 * throws. Immutable and thread-safe.
 */
public final class ModelVerifier implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The result of checking one version. */
    public enum Verdict {
        /** Signed by one of the trusted keys over exactly these fields. */
        VERIFIED,
        /** No signature at all. */
        UNSIGNED,
        /** A signature that no trusted key made over these fields (another key, or a field changed since). */
        INVALID
    }

    private static final ModelVerifier NONE = new ModelVerifier(List.of(), List.of());

    /** X.509 encodings, in the order given. */
    private final List<byte[]> encodedKeys;
    /** Where each key came from (file names), for messages. */
    private final List<String> sources;
    private transient volatile List<PublicKey> keys;

    private ModelVerifier(List<byte[]> encodedKeys, List<String> sources) {
        List<byte[]> copies = new ArrayList<>(encodedKeys.size());
        for (byte[] k : encodedKeys) {
            copies.add(k.clone());
        }
        this.encodedKeys = List.copyOf(copies);
        this.sources = List.copyOf(sources);
    }

    /** A verifier that holds no key. */
    public static ModelVerifier none() {
        return NONE;
    }

    /** Trusts the public keys in {@code files} (PEM X.509, as 'riffle models keygen' writes NAME.pub). */
    public static ModelVerifier fromFiles(Collection<Path> files) throws KeyFileException {
        List<PublicKey> keys = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Path f : files) {
            keys.add(SigningKeys.readPublic(f));
            sources.add(f.getFileName() == null ? f.toString() : f.getFileName().toString());
        }
        return of(keys, sources);
    }

    /** Trusts {@code keys}; {@code sources} names each (same order) in messages. */
    public static ModelVerifier of(List<PublicKey> keys, List<String> sources) throws KeyFileException {
        if (keys.size() != sources.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + sources.size() + " names");
        }
        List<byte[]> encoded = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            // Round-trip now, so a key that a task manager could not decode fails on the client.
            byte[] x509 = keys.get(i).getEncoded();
            SigningKeys.decodePublic(x509, sources.get(i));
            encoded.add(x509);
        }
        return encoded.isEmpty() ? NONE : new ModelVerifier(encoded, sources);
    }

    public boolean isEmpty() {
        return encodedKeys.isEmpty();
    }

    /** The trusted keys' names (file names), for messages. */
    public List<String> sources() {
        return sources;
    }

    /** Whether one of the trusted keys signed {@code mv}'s {@link SignedFields}. Never throws. */
    public Verdict verify(ModelVersion mv) {
        ByteBuffer sig = mv.getSignature();
        if (sig == null || !sig.hasRemaining()) {
            return Verdict.UNSIGNED;
        }
        byte[] signature = new byte[sig.remaining()];
        sig.duplicate().get(signature);
        byte[] message;
        try {
            message = SignedFields.of(mv);
        } catch (RuntimeException e) {
            return Verdict.INVALID;
        }
        for (PublicKey key : keys()) {
            try {
                Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
                s.initVerify(key);
                s.update(message);
                if (s.verify(signature)) {
                    return Verdict.VERIFIED;
                }
            } catch (Exception e) {
                // A malformed signature (wrong length, garbage) is a signature that does not verify.
            }
        }
        return Verdict.INVALID;
    }

    private List<PublicKey> keys() {
        List<PublicKey> k = keys;
        if (k == null) {
            List<PublicKey> decoded = new ArrayList<>(encodedKeys.size());
            for (int i = 0; i < encodedKeys.size(); i++) {
                try {
                    decoded.add(SigningKeys.decodePublic(encodedKeys.get(i), sources.get(i)));
                } catch (KeyFileException e) {
                    // Checked when this verifier was made; a key that no longer decodes verifies nothing.
                }
            }
            k = List.copyOf(decoded);
            keys = k;
        }
        return k;
    }

    @Override
    public String toString() {
        return isEmpty() ? "no trusted keys" : "trusted keys " + String.join(", ", sources);
    }
}

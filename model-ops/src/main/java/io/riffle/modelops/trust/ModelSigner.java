package io.riffle.modelops.trust;

import io.riffle.schemas.ModelVersion;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * Signs model versions with one Ed25519 private key: the signature covers {@link SignedFields},
 * so it must be made after every covered field has its final value (the version number
 * included). Thread-safe (a {@link Signature} per call).
 */
public final class ModelSigner {

    private final PrivateKey key;
    private final String source;

    public ModelSigner(PrivateKey key, String source) {
        this.key = Objects.requireNonNull(key, "key");
        this.source = source;
        // Fail here, not at the first publication, when the key is of another algorithm.
        signatureOf(new byte[0]);
    }

    /** The signer of the private key in {@code file} (PEM PKCS#8, as 'riffle models keygen' writes it). */
    public static ModelSigner fromFile(Path file) throws KeyFileException {
        PrivateKey key = SigningKeys.readPrivate(file);
        try {
            return new ModelSigner(key, file.toString());
        } catch (IllegalArgumentException e) {
            throw new KeyFileException("cannot sign with " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where the key came from (a file name), for messages. */
    public String source() {
        return source;
    }

    /** A copy of {@code mv} carrying its signature. */
    public ModelVersion sign(ModelVersion mv) {
        return ModelVersion.newBuilder(mv).setSignature(ByteBuffer.wrap(signature(mv))).build();
    }

    /** The signature of {@code mv}'s {@link SignedFields} (its current signature field plays no part). */
    public byte[] signature(ModelVersion mv) {
        return signatureOf(SignedFields.of(mv));
    }

    private byte[] signatureOf(byte[] message) {
        try {
            Signature s = Signature.getInstance(SigningKeys.ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key " + (source == null ? "" : source + " ")
                    + "cannot make " + SigningKeys.ALGORITHM + " signatures: " + e.getMessage(), e);
        }
    }
}

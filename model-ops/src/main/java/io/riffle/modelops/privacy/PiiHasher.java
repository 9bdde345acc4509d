package io.riffle.modelops.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * HMAC-SHA256 of a value's UTF-8 bytes under a secret key, written as 64 lower-case hex digits:
 * the same value and key always give the same token, another key gives unrelated ones, and the
 * value cannot be read back without the key (nor, for a value from a small set, guessed by
 * hashing candidates, as a plain hash could be).
 *
 * <p>It is {@link Serializable} and carries the key bytes: a job that hashes ships the key in its
 * job graph to the cluster (job manager, task managers, blob store, and savepoint metadata do not
 * hold it; the job graph does). A {@link Mac} is not thread-safe: each thread gets its own, with its
 * own output buffers, created on first use and reused for every value after.
 */
public final class PiiHasher implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String ALGORITHM = "HmacSHA256";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Values up to this many ASCII characters are hashed without allocating their bytes. */
    private static final int ASCII_BUFFER = 256;

    private final byte[] key;
    private transient volatile ThreadLocal<PerThread> perThread;

    /** @param key at least 16 bytes (see {@link io.riffle.modelops.spec.PrivacySpec#MIN_KEY_BYTES}) */
    public PiiHasher(byte[] key) {
        if (key == null || key.length < io.riffle.modelops.spec.PrivacySpec.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("an HMAC key needs at least "
                    + io.riffle.modelops.spec.PrivacySpec.MIN_KEY_BYTES + " bytes");
        }
        this.key = key.clone();
        perThread(); // fails now, not on the first record, if the JVM lacks HmacSHA256
    }

    /** The token of {@code value}, or null for null. */
    public String token(CharSequence value) {
        if (value == null) {
            return null;
        }
        PerThread t = perThread().get();
        int n = value.length();
        if (n <= ASCII_BUFFER && ascii(value, t.in)) {
            t.mac.update(t.in, 0, n);
        } else {
            t.mac.update(value.toString().getBytes(StandardCharsets.UTF_8));
        }
        return t.hex();
    }

    /** The token of {@code bytes} (e.g. a Kafka key), or null for null. */
    public String token(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        PerThread t = perThread().get();
        t.mac.update(bytes);
        return t.hex();
    }

    private static boolean ascii(CharSequence value, byte[] into) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            into[i] = (byte) c;
        }
        return true;
    }

    private ThreadLocal<PerThread> perThread() {
        ThreadLocal<PerThread> p = perThread;
        if (p == null) {
            // (two threads racing here each get a working ThreadLocal; one of them is kept)
            byte[] k = key;
            p = ThreadLocal.withInitial(() -> new PerThread(k));
            p.get();
            perThread = p;
        }
        return p;
    }

    @Override
    public String toString() {
        return "PiiHasher[HmacSHA256, key not shown]";
    }

    /** One thread's Mac and buffers. */
    private static final class PerThread {
        final Mac mac;
        final byte[] in = new byte[ASCII_BUFFER];
        final byte[] out = new byte[32];
        final char[] hex = new char[64];

        PerThread(byte[] key) {
            try {
                mac = Mac.getInstance(ALGORITHM);
                mac.init(new SecretKeySpec(key, ALGORITHM));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        }

        /** Finishes the MAC (which resets it for the next value) as hex. */
        String hex() {
            try {
                mac.doFinal(out, 0);
            } catch (javax.crypto.ShortBufferException e) {
                throw new IllegalStateException(e); // 32 bytes is HmacSHA256's length
            }
            for (int i = 0; i < 32; i++) {
                hex[2 * i] = HEX[(out[i] >> 4) & 0xF];
                hex[2 * i + 1] = HEX[out[i] & 0xF];
            }
            return new String(hex);
        }
    }
}

package io.riffle.modelops.privacy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PiiHasherTest {

    static final byte[] KEY = "a-key-of-32-bytes-for-the-tests!".getBytes(StandardCharsets.UTF_8);

    /**
     * RFC 4231, test case 2 (a key shorter than the 16 bytes a pipeline accepts, so padded here to
     * the same HMAC: HMAC pads every key with zeros to the block size, 64 bytes).
     */
    @Test
    void knownAnswerOfRfc4231TestCase2() {
        byte[] jefe = new byte[16];
        System.arraycopy("Jefe".getBytes(StandardCharsets.US_ASCII), 0, jefe, 0, 4);
        assertThat(new PiiHasher(jefe).token("what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    /** A second, independent computation: HMAC from its definition over SHA-256 (RFC 2104). */
    @Test
    void agreesWithHmacFromItsDefinition() throws Exception {
        PiiHasher hasher = new PiiHasher(KEY);
        for (String value : List.of("dev-7", "", "north", "José Müller ✓", "x".repeat(1_000))) {
            assertThat(hasher.token(value)).as(value).isEqualTo(hmacByDefinition(KEY, value.getBytes(StandardCharsets.UTF_8)));
            assertThat(hasher.token(value.getBytes(StandardCharsets.UTF_8))).isEqualTo(hasher.token(value));
        }
    }

    static String hmacByDefinition(byte[] key, byte[] message) throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        byte[] k = new byte[64];
        System.arraycopy(key.length > 64 ? sha.digest(key) : key, 0, k, 0, Math.min(64, key.length));
        byte[] inner = new byte[64];
        byte[] outer = new byte[64];
        for (int i = 0; i < 64; i++) {
            inner[i] = (byte) (k[i] ^ 0x36);
            outer[i] = (byte) (k[i] ^ 0x5c);
        }
        sha.update(inner);
        byte[] h = sha.digest(message);
        sha.update(outer);
        byte[] mac = sha.digest(h);
        return String.format("%064x", new BigInteger(1, mac));
    }

    @Test
    void deterministicAndKeyDependent() {
        PiiHasher a = new PiiHasher(KEY);
        PiiHasher again = new PiiHasher(KEY.clone());
        PiiHasher other = new PiiHasher("another-key-of-32-bytes-for-it!!".getBytes(StandardCharsets.UTF_8));
        assertThat(a.token("dev-7")).isEqualTo(a.token("dev-7")).isEqualTo(again.token("dev-7"))
                .matches("[0-9a-f]{64}");
        assertThat(other.token("dev-7")).isNotEqualTo(a.token("dev-7"));
        assertThat(a.token("dev-8")).isNotEqualTo(a.token("dev-7"));
        assertThat(a.token((String) null)).isNull();
    }

    @Test
    void survivesJavaSerializationAsAJobShipsIt() throws Exception {
        PiiHasher a = new PiiHasher(KEY);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        PiiHasher shipped;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (PiiHasher) in.readObject();
        }
        assertThat(shipped.token("dev-7")).isEqualTo(a.token("dev-7"));
        assertThat(a.toString()).doesNotContain(new String(KEY, StandardCharsets.UTF_8));
    }

    @Test
    void threadsEachHashCorrectly() throws Exception {
        PiiHasher hasher = new PiiHasher(KEY);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Set<String>>> wrong = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                wrong.add(pool.submit(() -> {
                    Set<String> bad = new HashSet<>();
                    for (int i = 0; i < 2_000; i++) {
                        String v = "dev-" + (i % 50);
                        if (!hasher.token(v).equals(hmacByDefinition(KEY, v.getBytes(StandardCharsets.UTF_8)))) {
                            bad.add(v);
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Set<String>> f : wrong) {
                assertThat(f.get(1, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesShortKeys() {
        assertThatThrownBy(() -> new PiiHasher("short".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
    }
}

package io.riffle.modelops.features;

import org.apache.avro.util.Utf8;

import java.nio.charset.StandardCharsets;

/**
 * Hashes of text values that are stable across JVMs and runs (categorical hashing, distinct-count
 * sketches, event-id hashes), equal for a Java {@code String} and a decoded Avro {@link Utf8} of
 * the same text, and computed on a {@code Utf8}'s own bytes without converting it.
 */
final class TextHashes {

    private TextHashes() {}

    /** FNV-1a 64 of the UTF-8 text, finished with SplitMix64's mixer so that the low bits are uniform. */
    static long hash64(Object text) {
        byte[] bytes = utf8(text);
        int length = text instanceof Utf8 u ? u.getByteLength() : bytes.length;
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < length; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    /** FNV-1a (32-bit) of the UTF-8 bytes, reduced to {@code [0, buckets)}. */
    static int bucket(Object value, int buckets) {
        int h = 0x811c9dc5;
        byte[] bytes = value == null ? new byte[0] : utf8(value);
        int length = value instanceof Utf8 u ? u.getByteLength() : bytes.length;
        for (int i = 0; i < length; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x01000193;
        }
        return Math.floorMod(h, buckets);
    }

    /** The UTF-8 bytes of a text value: a decoded Avro string's own (valid up to its byte length), or encoded. */
    private static byte[] utf8(Object text) {
        return text instanceof Utf8 u ? u.getBytes() : text.toString().getBytes(StandardCharsets.UTF_8);
    }
}

package io.riffle.modelops.features;

import io.riffle.schemas.Transaction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The demo's fixed feature set for a {@link Transaction}: numeric fields, per-card running
 * statistics and hashed categoricals. Pure and Flink-free: the scorer's keyed operator and the
 * bootstrap model fitting call the same {@link #extract} so both see identical vectors.
 */
public final class TransactionFeatures {

    /** Half-life of the decayed per-card event count: a "card testing" burst shows as a high count. */
    public static final long COUNT_HALF_LIFE_MS = 60_000;

    /** Buckets of each hashed categorical (one-hot). */
    public static final int HASH_BUCKETS = 4;

    /** Feature names in vector order. */
    public static final List<String> NAMES = List.of(
            "log1p_amount",
            "amount_to_card_mean",
            "log1p_seconds_since_last",
            "card_count_1m_decayed",
            "hour_sin",
            "hour_cos",
            "first_card_event",
            "country_changed",
            "channel_h0", "channel_h1", "channel_h2", "channel_h3",
            "merchant_category_h0", "merchant_category_h1", "merchant_category_h2", "merchant_category_h3");

    public static final int COUNT = NAMES.size();

    /** SHA-256 of this spec's canonical description: stamped on every vector and model. */
    public static final String SPEC_HASH = sha256("riffle-demo-transaction-v1|"
            + String.join(",", NAMES) + "|halfLifeMs=" + COUNT_HALF_LIFE_MS + "|buckets=" + HASH_BUCKETS
            + "|hash=fnv1a32");

    private static final double LN2 = Math.log(2);
    private static final long DAY_MS = 86_400_000L;

    private TransactionFeatures() {}

    /**
     * Writes the features of {@code t} into {@code out[offset, offset + COUNT)} and updates
     * {@code stats} with the event. Events older than the card's newest one count as
     * simultaneous with it (no negative gaps).
     */
    public static void extract(Transaction t, EntityStats stats, float[] out, int offset) {
        long time = t.getEventTime();
        double amount = Math.max(0.0, t.getAmount());
        boolean first = stats.eventCount == 0;

        double gapSeconds = first ? 0.0 : Math.max(0L, time - stats.lastEventTime) / 1000.0;
        double decayed = first ? 0.0 : stats.decayedCount * Math.exp(-LN2 * gapSeconds * 1000.0 / COUNT_HALF_LIFE_MS);
        int countryHash = 1 + bucket(t.getCountry(), 1 << 16);
        long msOfDay = Math.floorMod(time, DAY_MS);
        double angle = 2 * Math.PI * msOfDay / DAY_MS;

        out[offset] = (float) Math.log1p(amount);
        out[offset + 1] = (float) (first ? 1.0 : Math.min(50.0, amount / (stats.meanAmount + 1.0)));
        out[offset + 2] = (float) (first ? 0.0 : Math.log1p(Math.min(gapSeconds, 1e7)));
        out[offset + 3] = (float) decayed;
        out[offset + 4] = (float) Math.sin(angle);
        out[offset + 5] = (float) Math.cos(angle);
        out[offset + 6] = first ? 1f : 0f;
        out[offset + 7] = !first && countryHash != stats.lastCountryHash ? 1f : 0f;
        for (int i = 0; i < 2 * HASH_BUCKETS; i++) {
            out[offset + 8 + i] = 0f;
        }
        out[offset + 8 + bucket(t.getChannel(), HASH_BUCKETS)] = 1f;
        out[offset + 8 + HASH_BUCKETS + bucket(t.getMerchantCategory(), HASH_BUCKETS)] = 1f;

        stats.decayedCount = decayed + 1.0;
        stats.meanAmount = (stats.meanAmount * stats.eventCount + amount) / (stats.eventCount + 1);
        stats.eventCount++;
        stats.lastEventTime = first ? time : Math.max(stats.lastEventTime, time);
        stats.lastCountryHash = countryHash;
    }

    /** Returns a fresh vector of {@code t}'s features. */
    public static float[] extract(Transaction t, EntityStats stats) {
        float[] out = new float[COUNT];
        extract(t, stats, out, 0);
        return out;
    }

    /** FNV-1a (32-bit) of the UTF-8 bytes, reduced to {@code [0, buckets)}: stable across JVMs. */
    static int bucket(CharSequence value, int buckets) {
        int h = 0x811c9dc5;
        byte[] bytes = value == null ? new byte[0] : value.toString().getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return Math.floorMod(h, buckets);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

package io.riffle.bench;

import io.riffle.schemas.Transaction;
import io.riffle.schemas.serde.AvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Deterministic synthetic card payments (~90 bytes in Avro single-object encoding) and the
 * producer that writes them. Event ids are {@code <prefix><index>} so an output topic can be
 * audited with a bit set; the key is the card id, as on the real events topic.
 */
final class BenchEvents {
    /** Cards the events are spread over unless a run asks for another number. */
    static final int CARDS = 100_000;
    private static final List<String> COUNTRIES = List.of("DE", "FR", "NL", "ES", "IT", "GB", "US", "PL");
    private static final List<String> CHANNELS = List.of("POS", "ONLINE", "ATM", "MOBILE");
    private static final List<String> CATEGORIES = List.of("5411", "5812", "5999", "4111", "5732", "7011");

    private BenchEvents() {}

    /** Event {@code index}: the same card, merchant, amount and categories in every run. */
    static Transaction event(char prefix, long index, long eventTime) {
        return event(prefix, index, eventTime, CARDS);
    }

    /** Event {@code index} with its card one of {@code cards}: the keyed state holds up to that many entities. */
    static Transaction event(char prefix, long index, long eventTime, int cards) {
        long h = mix(index);
        int card = (int) Math.floorMod(h, (long) cards);
        long h2 = mix(h);
        double amount = Math.round(Math.exp(2.5 + 1.2 * gaussianish(h2)) * 100) / 100.0;
        return Transaction.newBuilder()
                .setEventId(prefix + Long.toString(index))
                .setCardId(zeroPadded("card-", card, 10, ""))
                .setMerchantId(zeroPadded("m-", Math.floorMod(h2 >>> 7, 50_000L), 8, "-store-eu"))
                .setAmount(amount)
                .setCurrency("EUR")
                .setCountry(COUNTRIES.get((int) Math.floorMod(h2 >>> 23, (long) (card % 11 == 0 ? 8 : 2))))
                .setChannel(CHANNELS.get((int) Math.floorMod(h2 >>> 31, 4L)))
                .setMerchantCategory(CATEGORIES.get((int) Math.floorMod(h2 >>> 37, 6L)))
                .setEventTime(eventTime)
                .build();
    }

    /**
     * {@code prefix}, {@code value} in {@code digits} digits with leading zeros, {@code suffix}: what
     * {@code String.format(prefix + "%0" + digits + "d" + suffix, value)} gives for a value that
     * fits, without a Formatter per call (two per event cost the latency phase's paced producer
     * about a microsecond an event, on the cores the variants are measured on).
     */
    static String zeroPadded(String prefix, long value, int digits, String suffix) {
        if (value >= 0) {
            int p = prefix.length();
            char[] c = new char[p + digits + suffix.length()];
            prefix.getChars(0, p, c, 0);
            long v = value;
            for (int i = p + digits - 1; i >= p; i--) {
                c[i] = (char) ('0' + v % 10);
                v /= 10;
            }
            if (v == 0) {
                suffix.getChars(0, suffix.length(), c, p + digits);
                return new String(c);
            }
        }
        // negative, or wider than the padding: as the format writes it
        return String.format(prefix + "%0" + digits + "d" + suffix, value);
    }

    /** The index encoded in an event id written by {@link #event}, or -1. */
    static long indexOf(CharSequence eventId, char prefix) {
        if (eventId.length() < 2 || eventId.charAt(0) != prefix) {
            return -1;
        }
        long v = 0;
        for (int i = 1; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "riffle-bench-events");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Sends events {@code [from, to)} as fast as the producer takes them; returns the bytes of the last value. */
    static int produce(KafkaProducer<byte[], byte[]> producer, AvroSerde<Transaction> serde, String topic, char prefix,
                       long from, long to, int cards) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        int size = 0;
        for (long i = from; i < to; i++) {
            size = send(producer, serde, topic, prefix, i, cards, failure);
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("producing events to " + topic + " failed: " + failure.get().getMessage(),
                    failure.get());
        }
        return size;
    }

    static int send(KafkaProducer<byte[], byte[]> producer, AvroSerde<Transaction> serde, String topic, char prefix,
                    long index, int cards, AtomicReference<Exception> failure) {
        Transaction t = event(prefix, index, System.currentTimeMillis(), cards);
        byte[] value = serde.encode(t);
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                t.getCardId().getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
        return value.length;
    }

    private static long mix(long z) {
        z = (z + 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Roughly standard normal from the bits of {@code h} (sum of four uniforms, rescaled). */
    private static double gaussianish(long h) {
        double s = 0;
        for (int i = 0; i < 4; i++) {
            s += ((h >>> (i * 16)) & 0xFFFF) / 65536.0;
        }
        return (s - 2.0) * Math.sqrt(3.0);
    }
}

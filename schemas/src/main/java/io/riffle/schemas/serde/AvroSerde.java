package io.riffle.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Avro single-object encoding of a generated record class: header {@code C3 01}, the 8-byte
 * schema fingerprint, then Avro binary. A reader resolves any writer schema it has been told
 * about ({@link #addWriterSchema}) or that a {@link SchemaStore} supplies.
 *
 * <p>{@link #encode} may be called from several threads (one lock per record); keep one instance
 * per thread or operator for decoding. Serializable so a Flink function can carry it; the codecs are rebuilt lazily.
 */
public final class AvroSerde<T extends SpecificRecordBase> implements Serializer<T>, Deserializer<T>, Serializable {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private transient Schema schema;
    private transient BinaryMessageDecoder<T> decoder;
    private transient DatumReader<T> reader;
    /** The single-object header of {@link #schema}: C3 01 and its 8-byte fingerprint (little-endian). */
    private transient byte[] header;
    private transient DatumWriter<T> writer;
    private transient Output out;
    private transient BinaryEncoder body;
    /** Set last by {@link #init}: the codecs are built. */
    private transient volatile boolean ready;

    private AvroSerde(Class<T> type) {
        this.type = type;
    }

    public static <T extends SpecificRecordBase> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        init();
        return schema;
    }

    /** Lets this reader decode records written with {@code writerSchema} (an older or newer version). */
    public AvroSerde<T> addWriterSchema(Schema writerSchema) {
        init();
        decoder.addSchema(writerSchema);
        return this;
    }

    /**
     * The record's single-object encoding. Byte for byte what Avro's {@code BinaryMessageEncoder}
     * writes, through a buffered encoder into an unsynchronized buffer this instance reuses (Avro's
     * own writes every field through a thread-local, synchronized {@code ByteArrayOutputStream}:
     * a tenth of the scorer's time went there). One lock per record keeps it safe to share between
     * threads (a producer's serializer), as Avro's was.
     */
    public synchronized byte[] encode(T value) {
        init();
        try {
            out.reset();
            out.write(header, 0, header.length);
            if (body == null) {
                // Configured once: configuring again (binaryEncoder(out, body)) wraps out in a new
                // channel per record, and flush() below leaves nothing behind for the next one.
                body = EncoderFactory.get().binaryEncoder(out, null);
            }
            writer.write(value, body);
            body.flush();
            return out.toByteArray();
        } catch (IOException e) {
            body = null;
            throw new SerdeException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // a record that failed half-way leaves its first fields in the encoder's buffer
            body = null;
            throw e;
        }
    }

    /**
     * Decodes one record.
     *
     * @throws SerdeException naming the record type and what is wrong (bad header, unknown
     *     schema fingerprint, truncated or corrupt body)
     */
    public T decode(byte[] bytes) {
        init();
        if (bytes == null) {
            throw new SerdeException("cannot decode " + type.getSimpleName() + ": the value is null");
        }
        try {
            if (startsWith(bytes, header)) {
                // this schema's: decoded from the array as it is (Avro's decoder reads the body byte by
                // byte through a synchronized stream, about twice as slow)
                return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, header.length,
                        bytes.length - header.length, null));
            }
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new SerdeException("cannot decode " + type.getSimpleName() + " (" + bytes.length + " bytes): "
                    + describe(e), e);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data);
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

    @Override
    public void close() {}

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** A growable byte buffer without {@link java.io.ByteArrayOutputStream}'s locking. */
    private static final class Output extends java.io.OutputStream {
        private byte[] buf = new byte[256];
        private int count;

        void reset() {
            count = 0;
            if (buf.length > 1 << 20) {
                buf = new byte[256];   // one huge record does not pin a huge buffer
            }
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }
    }

    /** The single-object encoding's header of records of {@code schema}: C3 01, then its CRC-64-AVRO fingerprint, little-endian. */
    public static byte[] singleObjectHeader(Schema schema) {
        return ByteBuffer.allocate(10).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(SchemaNormalization.parsingFingerprint64(schema)).array();
    }

    /** Whether {@code bytes} begin with {@code header} (see {@link #singleObjectHeader}). */
    public static boolean startsWith(byte[] bytes, byte[] header) {
        return bytes.length >= header.length && Arrays.equals(bytes, 0, header.length, header, 0, header.length);
    }

    private void init() {
        if (!ready) {
            build();
        }
    }

    @SuppressWarnings("unchecked")
    private synchronized void build() {
        if (ready) {
            return;
        }
        AvroClassAllowList.allowRiffleRecords();
        SpecificData model = SpecificData.getForClass(type);
        // The generated classes' own encode/decode methods (Avro's "custom coders", off by default):
        // no reflection or schema walk per field; about a third faster to encode a Score. The model
        // is the class's own, so Flink's Avro serializers of the same class use them too.
        model.setCustomCoders(true);
        schema = model.getSchema(type);
        decoder = new BinaryMessageDecoder<>(model, schema);
        header = singleObjectHeader(schema);
        writer = (DatumWriter<T>) model.createDatumWriter(schema);
        reader = (DatumReader<T>) model.createDatumReader(schema);
        out = new Output();
        ready = true;
    }
}

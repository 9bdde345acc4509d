package io.riffle.jobs.serde;

import io.riffle.modelops.validation.Digests;
import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.serde.AvroClassAllowList;
import io.riffle.schemas.serde.AvroSerde;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A dead letter always fits the sink's 1 MiB request, whatever it was made of. */
class DeadLettersTest {

    @BeforeAll
    static void allow() {
        AvroClassAllowList.allowRiffleRecords();
    }

    @Test
    void smallRecordsAreCarriedWhole() {
        byte[] value = "{\"a\":1}".getBytes();
        DeadLetter d = DeadLetters.of("t", 2, 7, "k".getBytes(), value, "C", "bad");
        assertThat(d.getValue().remaining()).isEqualTo(value.length);
        assertThat(d.getSize()).isNull();
        assertThat(d.getSha256()).isNull();
        assertThat(d.getErrorMessage()).isEqualTo("bad (record t/2@7)");
    }

    @Test
    void largeKeysValuesAndMessagesAreCutWithTheOriginalsSizeAndHash() {
        byte[] value = new byte[5 << 20];
        Arrays.fill(value, (byte) 'v');
        byte[] key = new byte[2 << 20];
        DeadLetter d = DeadLetters.of("t", 0, 1, key, value, "C", "x".repeat(100_000));
        assertThat(d.getValue().remaining()).isEqualTo(DeadLetters.MAX_PAYLOAD);
        assertThat(d.getKey().remaining()).isEqualTo(DeadLetters.MAX_PAYLOAD);
        assertThat(d.getSize()).isEqualTo(value.length);
        assertThat(d.getSha256()).isEqualTo(Digests.sha256Hex(value));
        assertThat(d.getErrorMessage()).hasSize(DeadLetters.MAX_MESSAGE);
        assertThat(AvroSerde.of(DeadLetter.class).encode(d).length).isLessThan(256 * 1024);
    }
}

package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DecodedEvent;
import io.riffle.schemas.DeadLetter;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends records that failed to decode to the dead-letter side output and passes the rest on. */
public final class DeadLetterRouter extends ProcessFunction<DecodedEvent, DecodedEvent> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    @Override
    public void processElement(DecodedEvent value, Context ctx, Collector<DecodedEvent> out) {
        if (value.isDeadLetter()) {
            ctx.output(DEAD_LETTERS, value.deadLetter);
        } else {
            out.collect(value);
        }
    }
}

package io.riffle.jobs.operators;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.serde.AvroClassAllowList;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.function.Function;

/**
 * Sends what a source could not decode to the dead-letter side output and passes on what it
 * could, unwrapped: for any decoded-record wrapper ({@code DecodedFeatureVector},
 * {@code DecodedLabel}) given how to get its dead letter and its value. The output type is
 * given where the operator is applied ({@code process(router, typeInfo)}).
 */
public final class DecodeFailureRouter<IN, OUT> extends ProcessFunction<IN, OUT> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** A serializable accessor of the wrapper. */
    public interface Part<IN, T> extends Function<IN, T>, Serializable {}

    private final Part<IN, DeadLetter> deadLetter;
    private final Part<IN, OUT> value;

    public DecodeFailureRouter(Part<IN, DeadLetter> deadLetter, Part<IN, OUT> value) {
        this.deadLetter = deadLetter;
        this.value = value;
    }

    @Override
    public void open(OpenContext openContext) {
        AvroClassAllowList.allowRiffleRecords();
    }

    @Override
    public void processElement(IN in, Context ctx, Collector<OUT> out) {
        DeadLetter failed = deadLetter.apply(in);
        if (failed != null) {
            ctx.output(DEAD_LETTERS, failed);
        } else {
            out.collect(value.apply(in));
        }
    }
}

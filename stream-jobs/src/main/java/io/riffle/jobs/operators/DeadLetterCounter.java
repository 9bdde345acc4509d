package io.riffle.jobs.operators;

import io.riffle.jobs.serde.DeadLetterReason;
import io.riffle.schemas.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Passes dead letters on to their sink unchanged and counts them by {@link DeadLetterReason}:
 * {@code riffleDeadLetters} in a {@code reason} group, which Flink's Prometheus reporter exports as
 * {@code flink_taskmanager_job_task_operator_reason_riffleDeadLetters{reason="..."}}. Every
 * reason is registered at open, so a dashboard sees zeros rather than missing series.
 */
public final class DeadLetterCounter extends RichMapFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private transient Counter[] byReason;

    @Override
    public void open(OpenContext openContext) {
        byReason = register(getRuntimeContext().getMetricGroup());
    }

    static Counter[] register(MetricGroup group) {
        DeadLetterReason[] reasons = DeadLetterReason.values();
        Counter[] counters = new Counter[reasons.length];
        for (DeadLetterReason r : reasons) {
            counters[r.ordinal()] = group.addGroup("reason", r.code()).counter("riffleDeadLetters");
        }
        return counters;
    }

    @Override
    public DeadLetter map(DeadLetter letter) {
        byReason[DeadLetterReason.of(letter).ordinal()].inc();
        return letter;
    }
}

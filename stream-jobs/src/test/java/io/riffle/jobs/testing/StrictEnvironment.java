package io.riffle.jobs.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The environment every end-to-end test runs its jobs in. */
public final class StrictEnvironment {
    private StrictEnvironment() {}

    /**
     * Generic types off (a record or state type that would go through Kryo fails the job, which
     * proves none does) and a bounded restart strategy (with checkpointing a failing sink would
     * otherwise restart forever and the test would only time out).
     */
    public static StreamExecutionEnvironment create() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }
}

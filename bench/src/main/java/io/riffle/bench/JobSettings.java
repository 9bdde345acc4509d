package io.riffle.bench;

import java.time.Duration;

/**
 * What every variant's job shares, so that they differ only in what they compute.
 *
 * @param groupId consumer group of the events source, unique per job
 * @param transactionalIdPrefix unique per job (a cancelled exactly-once job leaves transactions open)
 */
record JobSettings(String bootstrapServers, String eventsTopic, String outputTopic, String modelsTopic,
                   String groupId, String transactionalIdPrefix, boolean exactlyOnce, int parallelism,
                   Duration checkpointInterval, int batchSize, Duration batchMaxDelay, boolean objectReuse,
                   java.util.Map<String, String> alt) {

    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(120);
    /** The scoring job's default buffer timeout; the same for every variant. */
    static final long BUFFER_TIMEOUT_MS = 10;
}

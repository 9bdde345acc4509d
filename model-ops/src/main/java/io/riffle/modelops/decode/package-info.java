/**
 * The first stage of the data path, Flink-free: {@link io.riffle.modelops.decode.EventDecoder}
 * turns one Kafka record's bytes into a {@link io.riffle.modelops.decode.DecodedEvent} (the event
 * with its entity key, id and event time read) or a refusal naming the field or cause, which the
 * scoring job writes as a dead letter. It never throws on a user's record.
 */
package io.riffle.modelops.decode;

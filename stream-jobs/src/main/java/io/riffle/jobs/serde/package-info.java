/**
 * Kafka source and sink (de)serialization for the Flink jobs: decoding never throws (failures
 * become dead letters), and every produced type has Avro or POJO type information so Flink
 * never falls back to Kryo.
 */
package io.riffle.jobs.serde;

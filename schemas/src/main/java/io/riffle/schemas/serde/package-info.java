/**
 * Kafka and Flink (de)serialization of Riffle's records: Avro single-object encoding (schema
 * fingerprint header, so readers resolve older writer schemas) and JSON decoding for topics
 * configured as JSON.
 */
package io.riffle.schemas.serde;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) started inside
 * the JVM, for the demo and for tests. It supports transactions and compacted topics, so Flink's
 * exactly-once {@code KafkaSink} and the compacted model topic behave as they do on a cluster.
 */
package io.riffle.embedded;

package io.riffle.jobs.serde;

/** How values on an events or labels topic are encoded. */
public enum EventFormat {
    /** Avro single-object encoding (fingerprint header). */
    AVRO,
    /** Plain JSON objects whose fields match the Avro schema. */
    JSON
}

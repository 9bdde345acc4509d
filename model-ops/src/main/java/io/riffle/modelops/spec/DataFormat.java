package io.riffle.modelops.spec;

/** How records on a topic are encoded: Avro single-object encoding, or JSON objects shaped like the schema. */
public enum DataFormat {
    AVRO,
    JSON
}

/**
 * Riffle's topic contracts: the Avro-generated records (from {@code src/main/avro}) and the
 * default topic names.
 */
package io.riffle.schemas;

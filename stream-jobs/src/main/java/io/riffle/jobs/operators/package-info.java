/**
 * The jobs' operators, one class each, Flink adapters over the Flink-free model-ops core:
 * decode-failure routing, per-entity features, the batching scorer with model hot-swap, and the
 * label join.
 */
package io.riffle.jobs.operators;

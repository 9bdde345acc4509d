/**
 * The scoring job's operators, one class each, Flink adapters over the Flink-free model-ops
 * core: dead-letter routing, per-entity features, and the batching scorer with model hot-swap.
 */
package io.riffle.jobs.operators;

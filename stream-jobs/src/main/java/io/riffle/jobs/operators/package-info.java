/**
 * The jobs' operators, Flink adapters over the Flink-free model-ops core: decode-failure routing,
 * the batching scorer with model hot-swap (its rows come from a {@link
 * io.riffle.jobs.operators.ScoringRows}: a pipeline's per-entity features computed in keyed state,
 * or feature vectors computed upstream), the sparse serializer of the per-entity feature state, and
 * the label join.
 */
package io.riffle.jobs.operators;

/**
 * The score stage, Flink-free: a validated model version scoring a whole batch in one ONNX
 * Runtime call ({@link io.riffle.modelops.serving.LoadedModel}), the batch's rows
 * ({@link io.riffle.modelops.serving.ScoreBatch}), the versions one scorer serves and swaps between
 * batches ({@link io.riffle.modelops.serving.ServingModels}), and the {@code Score} records built
 * from their outputs and the decision ({@link io.riffle.modelops.serving.ScoreAssembler}).
 */
package io.riffle.modelops.serving;

/**
 * The model kinds the trainer fits (dense logistic/MLP classifiers, a dense autoencoder for
 * anomalies, XGBoost trees) and their export to ONNX graphs that take raw feature vectors
 * ({@code "features"} float [batch, n]) and give {@code "score"} float [batch, 1] in [0, 1].
 *
 * <p>Each {@link io.riffle.trainer.model.TrainedModel}'s own {@code predict} computes the same
 * function as its exported graph, so a parity check before publishing can compare the two.
 */
package io.riffle.trainer.model;

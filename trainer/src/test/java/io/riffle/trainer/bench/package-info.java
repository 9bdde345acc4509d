/**
 * Test sources only: a stand-alone benchmark of the trainer's model kinds on a synthetic data set
 * (fit time, holdout AUC, ONNX export and parity-check time; run its {@code main} with the
 * trainer's test class path), and the data generator it shares with the model tests.
 */
package io.riffle.trainer.bench;

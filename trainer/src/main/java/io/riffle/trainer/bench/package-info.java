/**
 * A stand-alone benchmark of the trainer's model kinds on a synthetic data set (fit time,
 * holdout AUC, ONNX export and parity-check time), and the data generator it shares with tests.
 */
package io.riffle.trainer.bench;

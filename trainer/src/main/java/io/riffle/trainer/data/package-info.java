/**
 * In-memory training data: a row-major float matrix of feature vectors with 0/1 labels, as the
 * trainer's window hands it to the model kinds.
 */
package io.riffle.trainer.data;

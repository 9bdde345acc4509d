/**
 * The side trainer: keeps a sliding window of labeled examples from the training topic,
 * retrains on a schedule, evaluates against the champion, exports ONNX and publishes.
 */
package io.riffle.trainer;

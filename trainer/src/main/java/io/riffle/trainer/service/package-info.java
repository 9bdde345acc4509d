/**
 * The long-running trainer: its sliding window over the training topic (rebuilt on restart by
 * seeking the topic to now minus the window), the retraining schedule, the champion/challenger
 * gate, the ONNX Runtime parity check and publishing.
 */
package io.riffle.trainer.service;

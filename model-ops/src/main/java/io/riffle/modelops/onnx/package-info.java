/**
 * Builds ONNX model bytes from Java with standard operators only (opset 17), so every node has
 * a CPU and a CUDA kernel in ONNX Runtime: dense networks, Gaussian anomaly scorers, and a small
 * {@link io.riffle.modelops.onnx.OnnxGraphBuilder} for anything else. Protobuf classes come from
 * {@code ai.onnx.proto.OnnxMl} (tribuo-util-onnx).
 */
package io.riffle.modelops.onnx;

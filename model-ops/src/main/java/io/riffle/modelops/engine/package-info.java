/**
 * The ONNX Runtime engine: the JVM's one {@link ai.onnxruntime.OrtEnvironment}, device selection
 * (cpu, cuda:N, auto with CPU fallback), and the JVM-wide {@link io.riffle.modelops.engine.SessionCache}
 * that shares one reference-counted session per model sha256 among all operator instances.
 */
package io.riffle.modelops.engine;

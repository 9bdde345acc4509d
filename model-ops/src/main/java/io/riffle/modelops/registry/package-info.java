/**
 * The model registry is the compacted {@code riffle.models} topic: {@link
 * io.riffle.modelops.registry.ModelRegistry} lists and publishes {@link io.riffle.schemas.ModelVersion}
 * records there; {@link io.riffle.modelops.registry.ModelVersions} builds them from ONNX bytes;
 * {@link io.riffle.modelops.registry.ModelPublisher} is the one way every producer (trainer, CLI,
 * demo, bench) numbers, signs and writes a version.
 */
package io.riffle.modelops.registry;

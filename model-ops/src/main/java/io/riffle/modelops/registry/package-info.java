/**
 * The model registry is the compacted {@code riffle.models} topic: {@link
 * io.riffle.modelops.registry.ModelRegistry} lists and publishes {@link io.riffle.schemas.ModelVersion}
 * records there; {@link io.riffle.modelops.registry.ModelVersions} builds them from ONNX bytes.
 */
package io.riffle.modelops.registry;

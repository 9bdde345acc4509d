/**
 * Admits a published {@link io.riffle.schemas.ModelVersion} for serving: integrity (sha256, size),
 * contract (feature count, spec hash, input/output names and shapes for the task) and behaviour
 * (a golden batch gives finite outputs in [0,1]), then wraps the session as a
 * {@link io.riffle.modelops.validation.LoadedModel} with the batched scoring hot path.
 */
package io.riffle.modelops.validation;

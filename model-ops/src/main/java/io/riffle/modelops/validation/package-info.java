/**
 * Admits a published {@link io.riffle.schemas.ModelVersion} for serving: who published it (a
 * {@link io.riffle.modelops.validation.ModelPolicy}: trusted signature, the pipeline's model
 * names, a required spec hash), integrity (sha256, size),
 * contract (feature count, spec hash, input/output names and shapes for the task) and behaviour
 * (a golden batch gives finite outputs in [0,1]), then wraps the session as a
 * {@link io.riffle.modelops.serving.LoadedModel}, which scores.
 */
package io.riffle.modelops.validation;

/**
 * The pipeline file: one YAML file that describes a user's events (an Avro schema), the features
 * to compute from them, the models, the trainer and the scorer. {@link io.riffle.modelops.spec.PipelineSpec#load}
 * parses it into typed records and validates it against the event schema, collecting every
 * problem with its file, line and field path ({@link io.riffle.modelops.spec.PipelineSpecException}).
 * {@link io.riffle.modelops.spec.FeatureSpec} is the {@code features:} section with its canonical
 * form and SHA-256 hash. No Flink here.
 */
package io.riffle.modelops.spec;

/**
 * The {@code riffle models} commands (picocli): publish an ONNX file as a new model version after
 * validating it locally (signed with {@code --signing-key}), list the versions on the models
 * topic, and make the Ed25519 key pair that signs them ({@code keygen}). The root {@code riffle}
 * command adds {@link io.riffle.cli.models.ModelsCommand}; the work itself (registry, validation,
 * signing) is model-ops', these classes only read the command line and print.
 */
package io.riffle.cli.models;

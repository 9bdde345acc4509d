/**
 * The {@code riffle models} commands (picocli): publish an ONNX file as a new model version after
 * validating it locally (signed with {@code --signing-key}), list the versions on the models
 * topic, and make the Ed25519 key pair that signs them ({@code keygen}). The root {@code riffle}
 * command lives in the cli module and adds {@link io.riffle.modelops.cli.ModelsCommand}.
 */
package io.riffle.modelops.cli;

/**
 * Who may publish a model: Ed25519 signatures over a {@link io.riffle.schemas.ModelVersion}'s
 * {@link io.riffle.modelops.trust.SignedFields} (name, version, task, role, thresholds, the ONNX
 * bytes' sha256, the feature spec hash and the input contract), made by a
 * {@link io.riffle.modelops.trust.ModelSigner} from a private key file and checked by a
 * {@link io.riffle.modelops.trust.ModelVerifier} holding the trusted public keys' bytes. Key files
 * are PEM (PKCS#8 / X.509) as written by {@link io.riffle.modelops.trust.SigningKeys}. Only the
 * JDK's own Ed25519 provider is used; nothing here knows Flink.
 */
package io.riffle.modelops.trust;

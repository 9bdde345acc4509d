/**
 * Test fixtures shared through the model-ops test-jar: small ONNX graphs with their recipe
 * ({@link io.riffle.modelops.testing.TestModels}) and plain-Java reference forward passes.
 */
package io.riffle.modelops.testing;

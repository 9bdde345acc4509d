/**
 * Personal data leaving the scorer: {@link io.riffle.modelops.privacy.PiiHasher} turns a value into
 * its HMAC-SHA256 token (deterministic, so joins and per-entity analysis still work downstream),
 * and {@link io.riffle.modelops.privacy.Pseudonymizer} applies it to what a pipeline's
 * {@code privacy:} section declares: entity ids, the PII fields of a dead-lettered event, and error
 * messages that quote them. Features are computed on the clear values before any of this. No Flink here.
 */
package io.riffle.modelops.privacy;

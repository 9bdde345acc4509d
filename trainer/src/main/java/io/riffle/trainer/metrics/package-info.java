/**
 * The trainers' own metrics, served to Prometheus over HTTP by the Prometheus Java client: one
 * registry and endpoint per process, shared by the trainers it runs (the {@code model} label tells
 * them apart).
 */
package io.riffle.trainer.metrics;

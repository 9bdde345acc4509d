/**
 * Turning model outputs into ALLOW / REVIEW / BLOCK with reason codes: per-model thresholds,
 * champions decide, shadow models never act.
 */
package io.riffle.modelops.decision;

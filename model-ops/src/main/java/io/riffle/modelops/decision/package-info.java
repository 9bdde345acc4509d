/**
 * The decide stage: model outputs become ALLOW / REVIEW / BLOCK with reason codes
 * ({@link io.riffle.modelops.decision.Decider}); per-model thresholds and the codes' wording
 * ({@link io.riffle.modelops.decision.DecisionPolicy}); champions decide, shadow models never act;
 * the features of a flagged row furthest from the model's training data
 * ({@link io.riffle.modelops.decision.FeatureReasons}).
 */
package io.riffle.modelops.decision;

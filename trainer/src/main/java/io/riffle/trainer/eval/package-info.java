/**
 * Evaluation of scores against labels on a holdout: ranking metrics (ROC-AUC, PR-AUC, recall at
 * a false-positive budget), log-loss, and F1 at a decision threshold.
 */
package io.riffle.trainer.eval;

package io.riffle.trainer.model;

import io.riffle.trainer.data.Dataset;
import java.util.Arrays;
import java.util.Locale;

/**
 * Full-batch Newton's method (iteratively reweighted least squares) for L2-penalised logistic
 * regression on standardised features. It minimises
 *
 * <pre>
 *   f(w, b) = sum_r s_r * [log(1 + e^z_r) - y_r * z_r] + 0.5 * penalty * |w|^2,   z_r = w . x_r + b
 * </pre>
 *
 * with {@code s_r} the positive weight for positives and 1 for negatives, and the intercept
 * {@code b} unpenalised: scikit-learn's {@code LogisticRegression} objective with
 * {@code C = 1 / penalty} and {@code class_weight={0: 1, 1: s}}. The penalty makes {@code f}
 * strictly convex, so it has one minimum even on separable data.
 *
 * <p>Each iteration builds the gradient and Hessian in one pass over the rows (the Hessian costs
 * {@code rows * (features + 1)^2 / 2} multiply-adds, which is why {@link #suits} bounds it), solves
 * {@code H d = -g} by Cholesky, and halves the step along {@code d} until {@code f} falls enough
 * (Armijo). It stops when the Newton decrement {@code g' H^-1 g / 2}, the predicted distance to the
 * minimum, is below {@link #TOLERANCE} per unit of sample weight: then {@code f} per unit of weight
 * is within about that of its minimum. From the prior's log-odds that took 8 or 9 iterations on
 * the data sets measured (the breast cancer reference set, synthetic sets of 50,000 to 1,000,000
 * rows).
 */
final class LogisticNewton {

    /** scikit-learn's default {@code C = 1.0}: the penalty on the summed (not averaged) loss. */
    static final double PENALTY = 1.0;
    /** Stop when the Newton decrement per unit of sample weight is below this. */
    static final double TOLERANCE = 1e-10;
    static final int MAX_ITERATIONS = 100;
    /**
     * Windows up to this many {@code rows * (features + 1)^2}: the default window of 200,000 rows
     * at the demo's 46 features, 1,000,000 rows of 20, 10,000 of 209. Measured on one core (synthetic
     * data, 2% positives): 200,000 x 46 converged in 8 iterations and 1.4 s where Adam took 6.9 s to
     * early stopping (72 epochs) for the same holdout ROC-AUC; 50,000 x 100 in 1.4 s against 2.6 s.
     * Beyond it the Hessian's cost, growing with the square of the features, would lose to Adam's.
     */
    static final long MAX_WORK = 200_000L * 47 * 47;

    private static final int BLOCK = 256;
    private static final double ARMIJO = 1e-4;
    private static final int MAX_HALVINGS = 40;

    /**
     * The fitted weights (standardised space) and intercept, the Newton steps taken, whether the
     * tolerance was met, and the objective divided by the sample weight (mean weighted log-loss
     * plus the penalty's share).
     */
    record Result(double[] weights, double intercept, int iterations, boolean converged, double meanObjective) {

        /** E.g. {@code "newton converged after 9 iterations"}. */
        String describe() {
            return converged
                    ? String.format(Locale.ROOT, "newton converged after %d iterations", iterations)
                    : String.format(Locale.ROOT, "newton stopped after %d iterations, not converged", iterations);
        }
    }

    private LogisticNewton() {}

    /** Whether a window of {@code rows x features} is small enough for this solver. */
    static boolean suits(long rows, int features) {
        return rows * (features + 1L) * (features + 1L) <= MAX_WORK;
    }

    /**
     * Fits on all of {@code data}, standardised by {@code standardizer}, starting from weights 0 and
     * {@code intercept}; tells {@code progress} each iteration's mean objective (validation NaN).
     */
    static Result fit(Standardizer standardizer, Dataset data, double positiveWeight, double intercept,
                      ProgressListener progress) {
        return fit(standardizer, data, positiveWeight, intercept, progress, MAX_ITERATIONS);
    }

    /** As above, stopping after at most {@code maxIterations} Newton steps. */
    static Result fit(Standardizer standardizer, Dataset data, double positiveWeight, double intercept,
                      ProgressListener progress, int maxIterations) {
        Solver solver = new Solver(standardizer, data, positiveWeight);
        return solver.run(intercept, progress, maxIterations);
    }

    /** One fit's workspace: parameters {@code theta = (w_0 .. w_{d-1}, b)}, logits, and the Hessian. */
    private static final class Solver {
        private final Standardizer standardizer;
        private final Dataset data;
        private final int[] labels;
        private final int[] ids;
        private final int d;
        private final int p;
        private final double positiveWeight;
        private final double weightSum;
        private final double[] buffer;
        private final double[] theta;
        private final double[] gradient;
        private final double[] hessian;
        private final double[] z;
        private final double[] dz;

        Solver(Standardizer standardizer, Dataset data, double positiveWeight) {
            this.standardizer = standardizer;
            this.data = data;
            this.labels = data.labels();
            this.ids = DenseTraining.identity(data.rows());
            this.d = data.features();
            this.p = d + 1;
            this.positiveWeight = positiveWeight;
            this.weightSum = positiveWeight * data.positives() + (data.rows() - data.positives());
            this.buffer = new double[BLOCK * d];
            this.theta = new double[p];
            this.gradient = new double[p];
            this.hessian = new double[p * p];
            this.z = new double[data.rows()];
            this.dz = new double[data.rows()];
        }

        Result run(double intercept, ProgressListener progress, int maxIterations) {
            theta[d] = intercept;
            int iterations = 0;
            boolean converged = false;
            double objective = Double.NaN;
            while (true) {
                objective = derivatives();
                double[] step = Cholesky.solve(hessian, gradient, p);
                double decrement = 0; // g' H^-1 g = -g' step
                for (int i = 0; i < p; i++) {
                    step[i] = -step[i];
                    decrement -= gradient[i] * step[i];
                }
                if (0.5 * decrement <= TOLERANCE * weightSum) {
                    converged = true;
                    break;
                }
                if (iterations == maxIterations) {
                    break;
                }
                directional(step);
                double t = 1;
                double next = objectiveAt(t, step);
                int halvings = 0;
                // NaN never satisfies the test, so a step into overflow is halved too.
                while (!(next <= objective - ARMIJO * t * decrement) && halvings < MAX_HALVINGS) {
                    t *= 0.5;
                    next = objectiveAt(t, step);
                    halvings++;
                }
                if (halvings == MAX_HALVINGS) {
                    break; // no descent along a Newton direction: rounding has the last word
                }
                for (int i = 0; i < p; i++) {
                    theta[i] += t * step[i];
                }
                iterations++;
                progress.epoch(iterations, next / weightSum, Double.NaN);
            }
            double[] w = new double[d];
            System.arraycopy(theta, 0, w, 0, d);
            return new Result(w, theta[d], iterations, converged, objective / weightSum);
        }

        /**
         * At the current {@code theta}: logits into {@code z}, the gradient and the (penalised,
         * full, symmetric) Hessian; returns the objective.
         */
        private double derivatives() {
            Arrays.fill(gradient, 0.0);
            Arrays.fill(hessian, 0.0);
            double[] e = new double[p];
            e[d] = 1.0; // the intercept's column
            double loss = 0;
            int n = data.rows();
            for (int from = 0; from < n; from += BLOCK) {
                int count = Math.min(BLOCK, n - from);
                standardizer.fill(data, ids, from, count, buffer);
                for (int k = 0; k < count; k++) {
                    int r = from + k;
                    System.arraycopy(buffer, k * d, e, 0, d);
                    double zr = theta[d];
                    for (int i = 0; i < d; i++) {
                        zr += theta[i] * e[i];
                    }
                    z[r] = zr;
                    int y = labels[r];
                    double s = y == 1 ? positiveWeight : 1.0;
                    loss += s * rowLoss(zr, y);
                    double prob = DenseLosses.sigmoid(zr);
                    double residual = s * (prob - y);
                    double curvature = s * prob * (1 - prob);
                    for (int i = 0; i < p; i++) {
                        double ei = e[i];
                        gradient[i] += residual * ei;
                        double ci = curvature * ei;
                        int row = i * p;
                        for (int j = i; j < p; j++) { // upper triangle; mirrored below
                            hessian[row + j] += ci * e[j];
                        }
                    }
                }
            }
            double squares = 0;
            for (int i = 0; i < d; i++) {
                gradient[i] += PENALTY * theta[i];
                hessian[i * p + i] += PENALTY;
                squares += theta[i] * theta[i];
            }
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < i; j++) {
                    hessian[i * p + j] = hessian[j * p + i];
                }
            }
            return loss + 0.5 * PENALTY * squares;
        }

        /** {@code dz_r = step . (x_r, 1)}: how each logit moves along {@code step}. */
        private void directional(double[] step) {
            int n = data.rows();
            for (int from = 0; from < n; from += BLOCK) {
                int count = Math.min(BLOCK, n - from);
                standardizer.fill(data, ids, from, count, buffer);
                for (int k = 0; k < count; k++) {
                    double v = step[d];
                    int o = k * d;
                    for (int i = 0; i < d; i++) {
                        v += step[i] * buffer[o + i];
                    }
                    dz[from + k] = v;
                }
            }
        }

        /** The objective at {@code theta + t * step}, from the logits: no pass over the features. */
        private double objectiveAt(double t, double[] step) {
            double loss = 0;
            for (int r = 0; r < z.length; r++) {
                int y = labels[r];
                loss += (y == 1 ? positiveWeight : 1.0) * rowLoss(z[r] + t * dz[r], y);
            }
            double squares = 0;
            for (int i = 0; i < d; i++) {
                double w = theta[i] + t * step[i];
                squares += w * w;
            }
            return loss + 0.5 * PENALTY * squares;
        }
    }

    /** {@code log(1 + e^z) - y z} in the form that is finite for any logit. */
    static double rowLoss(double z, int y) {
        return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /** Solving a symmetric positive definite system. */
    static final class Cholesky {

        private Cholesky() {}

        /**
         * {@code x} with {@code a x = b} for {@code a} ({@code n x n}, row-major, symmetric positive
         * definite; not modified). Should rounding make a pivot non-positive (an intercept whose rows
         * are all near-certain), a ridge growing from 1e-12 of the largest diagonal is added.
         */
        static double[] solve(double[] a, double[] b, int n) {
            double maxDiagonal = 0;
            for (int i = 0; i < n; i++) {
                maxDiagonal = Math.max(maxDiagonal, a[i * n + i]);
            }
            double ridge = 0;
            while (true) {
                double[] l = factor(a, n, ridge);
                if (l != null) {
                    return substitute(l, b, n);
                }
                ridge = ridge == 0 ? 1e-12 * Math.max(maxDiagonal, Double.MIN_NORMAL) : ridge * 100;
                if (!(ridge <= maxDiagonal)) {
                    throw new IllegalStateException("the Hessian is not positive definite (diagonal up to "
                            + maxDiagonal + ")");
                }
            }
        }

        /** Lower-triangular {@code L} with {@code L L' = a + ridge I}, or null if a pivot is not positive. */
        private static double[] factor(double[] a, int n, double ridge) {
            double[] l = new double[n * n];
            for (int j = 0; j < n; j++) {
                double s = a[j * n + j] + ridge;
                for (int k = 0; k < j; k++) {
                    s -= l[j * n + k] * l[j * n + k];
                }
                if (!(s > 0)) {
                    return null;
                }
                double pivot = Math.sqrt(s);
                l[j * n + j] = pivot;
                for (int i = j + 1; i < n; i++) {
                    double v = a[i * n + j];
                    for (int k = 0; k < j; k++) {
                        v -= l[i * n + k] * l[j * n + k];
                    }
                    l[i * n + j] = v / pivot;
                }
            }
            return l;
        }

        private static double[] substitute(double[] l, double[] b, int n) {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double v = b[i];
                for (int k = 0; k < i; k++) {
                    v -= l[i * n + k] * y[k];
                }
                y[i] = v / l[i * n + i];
            }
            double[] x = new double[n];
            for (int i = n - 1; i >= 0; i--) {
                double v = y[i];
                for (int k = i + 1; k < n; k++) {
                    v -= l[k * n + i] * x[k];
                }
                x[i] = v / l[i * n + i];
            }
            return x;
        }
    }
}

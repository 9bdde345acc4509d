package io.riffle.trainer.model;

/** Adam (Kingma and Ba) over a fixed list of parameter arrays, updated in place. */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final double[][] params;
    private final double[][] m;
    private final double[][] v;
    private final double learningRate;
    private int t;

    public Adam(double[][] params, double learningRate) {
        this.params = params;
        this.learningRate = learningRate;
        this.m = new double[params.length][];
        this.v = new double[params.length][];
        for (int p = 0; p < params.length; p++) {
            m[p] = new double[params[p].length];
            v[p] = new double[params[p].length];
        }
    }

    /** One update of every parameter from its gradient (same shapes as the parameters). */
    public void step(double[][] grads) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (int p = 0; p < params.length; p++) {
            double[] w = params[p];
            double[] g = grads[p];
            double[] mp = m[p];
            double[] vp = v[p];
            for (int k = 0; k < w.length; k++) {
                mp[k] = BETA1 * mp[k] + (1 - BETA1) * g[k];
                vp[k] = BETA2 * vp[k] + (1 - BETA2) * g[k] * g[k];
                w[k] -= learningRate * (mp[k] / c1) / (Math.sqrt(vp[k] / c2) + EPSILON);
            }
        }
    }
}

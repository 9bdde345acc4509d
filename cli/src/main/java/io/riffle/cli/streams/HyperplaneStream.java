package io.riffle.cli.streams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The rotating hyperplane of G. Hulten, L. Spencer and P. Domingos, "Mining time-changing data
 * streams", KDD 2001, as MOA's {@code HyperplaneGenerator} generates it: d attributes uniform in
 * [0, 1] and weights w drawn uniform in [0, 1] at the start; a record is positive when
 * {@code Σ w_i x_i >= ½ Σ w_i}, so the classes stay balanced whatever the weights, and a share
 * {@code noise} of the labels is flipped. After each record, each of the first {@code driftAttributes}
 * weights moves by {@code magnitude} in its direction, and each direction reverses with probability
 * {@code reversal}: the hyperplane rotates gradually.
 *
 * <p>MOA's defaults are 10 attributes, 2 drifting, magnitude 0.0 (no drift at all), 5% noise and
 * 10% reversal. Riffle's {@code riffle generate hyperplane} uses 10 attributes, 5 drifting,
 * magnitude 0.001 (the setting of the drift benchmarks built on MOA, e.g. Gomes et al., "Adaptive
 * random forests", Machine Learning 106, 2017), 10% noise and MOA's 10% reversal.
 * The rotation starts at record {@code driftFrom} (0 = from the first record, as in MOA).
 */
public final class HyperplaneStream implements LabeledStream {
    private final Random random;
    private final double[] weights;
    private final int[] direction;
    private final double magnitude;
    private final double noise;
    private final double reversal;
    private final long driftFrom;
    private final List<String> names;
    private long position;

    public HyperplaneStream(long seed, int attributes, int driftAttributes, double magnitude, double noise,
                            double reversal, long driftFrom) {
        if (attributes < 1 || driftAttributes < 0 || driftAttributes > attributes) {
            throw new IllegalArgumentException("hyperplane needs at least 1 attribute and 0 to " + attributes
                    + " drifting ones, got " + attributes + " and " + driftAttributes);
        }
        if (!(magnitude >= 0 && magnitude <= 1) || !(noise >= 0 && noise <= 0.5) || !(reversal >= 0 && reversal <= 1)) {
            throw new IllegalArgumentException("hyperplane magnitude must be in [0, 1], noise in [0, 0.5] and"
                    + " reversal in [0, 1], got " + magnitude + ", " + noise + " and " + reversal);
        }
        this.random = new Random(seed);
        this.weights = new double[attributes];
        this.direction = new int[attributes];
        for (int i = 0; i < attributes; i++) {
            weights[i] = random.nextDouble();
            direction[i] = i < driftAttributes ? 1 : 0;
        }
        this.magnitude = magnitude;
        this.noise = noise;
        this.reversal = reversal;
        this.driftFrom = Math.max(0, driftFrom);
        this.names = new ArrayList<>();
        for (int i = 1; i <= attributes; i++) {
            names.add("x" + i);
        }
    }

    /** Riffle's setting: 10 attributes, 5 drifting by 0.001 per record, {@code noise}, 10% reversal. */
    public static HyperplaneStream standard(long seed, double noise, long driftFrom) {
        return new HyperplaneStream(seed, 10, 5, 0.001, noise, 0.10, driftFrom);
    }

    @Override
    public List<String> attributeNames() {
        return names;
    }

    /** The current weights (a copy): the next record is labeled by these. */
    public double[] weights() {
        return weights.clone();
    }

    /** The noiseless label of {@code x} under {@code weights}. */
    public static int concept(double[] weights, double[] x) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i] * x[i];
            total += weights[i];
        }
        return sum >= 0.5 * total ? 1 : 0;
    }

    @Override
    public LabeledRecord next() {
        double[] x = new double[weights.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextDouble();
        }
        int label = concept(weights, x);
        if (random.nextDouble() < noise) {
            label = 1 - label;
        }
        if (position >= driftFrom) {
            rotate();
        }
        position++;
        Map<String, Object> a = new LinkedHashMap<>();
        for (int i = 0; i < x.length; i++) {
            a.put(names.get(i), x[i]);
        }
        return new LabeledRecord(a, label);
    }

    private void rotate() {
        for (int i = 0; i < weights.length; i++) {
            if (direction[i] == 0) {
                continue;
            }
            weights[i] += direction[i] * magnitude;
            if (random.nextDouble() < reversal) {
                direction[i] = -direction[i];
            }
        }
    }
}

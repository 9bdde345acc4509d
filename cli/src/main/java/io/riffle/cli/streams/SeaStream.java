package io.riffle.cli.streams;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The SEA concepts of W. N. Street and Y. Kim, "A streaming ensemble algorithm (SEA) for
 * large-scale classification", KDD 2001: three attributes drawn uniformly from [0, 10], of which
 * only the first two matter; a record is positive (label 1) when {@code x1 + x2 <= θ}, with
 * θ = 8, 9, 7 and 9.5 for concepts (functions) 1 to 4. A share {@code noise} of the labels is
 * flipped (10% in the paper). The concept switches from {@code function} to
 * {@code driftFunction} abruptly at record {@code driftAt} (0-based).
 *
 * <p>MOA's {@code SEAGenerator} uses the same thresholds but calls the {@code <= θ} side class 0;
 * here it is the positive class, as in the paper.
 */
public final class SeaStream implements LabeledStream {
    /** θ of functions 1 to 4. */
    private static final double[] THRESHOLDS = {8.0, 9.0, 7.0, 9.5};

    private final Random random;
    private final int function;
    private final int driftFunction;
    private final long driftAt;
    private final double noise;
    private long position;

    /**
     * @param driftAt index of the first record of {@code driftFunction}; negative: never
     * @param noise share of labels flipped, in [0, 0.5]
     */
    public SeaStream(long seed, int function, int driftFunction, long driftAt, double noise) {
        checkFunction(function);
        checkFunction(driftFunction);
        if (!(noise >= 0 && noise <= 0.5)) {
            throw new IllegalArgumentException("SEA noise must be in [0, 0.5], got " + noise);
        }
        this.random = new Random(seed);
        this.function = function;
        this.driftFunction = driftFunction;
        this.driftAt = driftAt;
        this.noise = noise;
    }

    /** θ of SEA function 1 to 4. */
    public static double threshold(int function) {
        checkFunction(function);
        return THRESHOLDS[function - 1];
    }

    /** The noiseless label of a record under {@code function}. */
    public static int concept(int function, double x1, double x2) {
        return x1 + x2 <= threshold(function) ? 1 : 0;
    }

    @Override
    public List<String> attributeNames() {
        return List.of("x1", "x2", "x3");
    }

    /** The function the next record follows. */
    public int currentFunction() {
        return driftAt >= 0 && position >= driftAt ? driftFunction : function;
    }

    @Override
    public LabeledRecord next() {
        int f = currentFunction();
        double x1 = 10.0 * random.nextDouble();
        double x2 = 10.0 * random.nextDouble();
        double x3 = 10.0 * random.nextDouble();
        int label = concept(f, x1, x2);
        if (random.nextDouble() < noise) {
            label = 1 - label;
        }
        position++;
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("x1", x1);
        attributes.put("x2", x2);
        attributes.put("x3", x3);
        return new LabeledRecord(attributes, label);
    }

    private static void checkFunction(int function) {
        if (function < 1 || function > THRESHOLDS.length) {
            throw new IllegalArgumentException("SEA has functions 1 to 4, got " + function);
        }
    }
}

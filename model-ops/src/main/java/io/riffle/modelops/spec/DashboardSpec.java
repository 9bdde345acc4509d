package io.riffle.modelops.spec;

/**
 * The {@code dashboard:} section: what the live ops page ({@code riffle dashboard}) breaks down
 * and flags.
 *
 * @param segmentBy    an event field whose values split decision rates and recall (fairness:
 *                     country, channel); null for none
 * @param psiThreshold population stability index of live scores against the model's training
 *                     scores above which the page flags drift (0.2 is the usual "significant shift")
 */
public record DashboardSpec(String segmentBy, double psiThreshold) {

    public static final double DEFAULT_PSI_THRESHOLD = 0.2;

    public static DashboardSpec defaults() {
        return new DashboardSpec(null, DEFAULT_PSI_THRESHOLD);
    }
}

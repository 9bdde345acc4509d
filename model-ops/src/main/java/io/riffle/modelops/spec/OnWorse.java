package io.riffle.modelops.spec;

/**
 * What happens to a candidate that does not beat the champion by the gate margin: a model's
 * {@code on-worse} in the pipeline file, and the trainer's own setting.
 */
public enum OnWorse {
    /** Published as {@code <name>-shadow} with role SHADOW: scored and reported, never deciding. */
    SHADOW,
    /** Not published; the evaluation is logged. */
    DISCARD
}

package io.riffle.trainer.service;

/** What happens to a candidate that does not beat the champion by the gate margin. */
public enum OnWorse {
    /** Published as {@code <name>-shadow} with role SHADOW: scored and reported, never deciding. */
    SHADOW,
    /** Not published; the evaluation is logged. */
    DISCARD
}

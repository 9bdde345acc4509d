package io.riffle.modelops.spec;

/**
 * {@code trainer.drift}: the detector each trainer runs on the live (prequential) error of its
 * model's champion as labeled examples arrive. When it detects a change, the trainer retrains at
 * once on the examples that arrived after the change and reports the detection (model event
 * {@code DRIFT_DETECTED}, its status line).
 *
 * @param detector {@link Detector#ADWIN} or {@link Detector#OFF}
 * @param delta ADWIN's confidence: the chance of a false alarm per check is at most about this
 *        (smaller: fewer false alarms, later detections)
 */
public record DriftSpec(Detector detector, double delta) {

    /** The default confidence, as in Bifet &amp; Gavaldà's paper and MOA. */
    public static final double DEFAULT_DELTA = 0.002;

    /** The detectors on offer. */
    public enum Detector {
        /** ADaptive WINdowing (Bifet &amp; Gavaldà, SDM 2007). */
        ADWIN,
        /** No detection: retraining follows the schedule only. */
        OFF
    }

    public DriftSpec {
        if (detector == null) {
            throw new IllegalArgumentException("detector must be given");
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
    }

    public static DriftSpec defaults() {
        return new DriftSpec(Detector.ADWIN, DEFAULT_DELTA);
    }

    public static DriftSpec off() {
        return new DriftSpec(Detector.OFF, DEFAULT_DELTA);
    }

    public boolean enabled() {
        return detector != Detector.OFF;
    }
}

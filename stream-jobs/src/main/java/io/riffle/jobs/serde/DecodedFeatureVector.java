package io.riffle.jobs.serde;

import io.riffle.schemas.DeadLetter;
import io.riffle.schemas.FeatureVector;

/**
 * What the features source of the label join produces for one Kafka record: the vector, or the
 * dead letter saying why it could not be decoded. A Flink POJO whose fields have Avro type
 * information.
 */
public class DecodedFeatureVector {
    /** The vector, or null when {@link #deadLetter} is set. */
    public FeatureVector vector;
    /** Set when the record could not be decoded. */
    public DeadLetter deadLetter;

    public DecodedFeatureVector() {}

    public static DecodedFeatureVector of(FeatureVector vector) {
        DecodedFeatureVector d = new DecodedFeatureVector();
        d.vector = vector;
        return d;
    }

    public static DecodedFeatureVector failed(DeadLetter deadLetter) {
        DecodedFeatureVector d = new DecodedFeatureVector();
        d.deadLetter = deadLetter;
        return d;
    }

    public boolean isDeadLetter() {
        return deadLetter != null;
    }
}

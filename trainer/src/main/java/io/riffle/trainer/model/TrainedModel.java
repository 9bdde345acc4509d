package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import io.riffle.schemas.ModelTask;
import io.riffle.trainer.data.Dataset;

/** A fitted model: its own predictions and the equivalent ONNX graph. */
public interface TrainedModel {

    ModelKind kind();

    ModelTask task();

    /** Length of the feature vector the model takes. */
    int features();

    /**
     * One value in [0, 1] per row of {@code data}: the probability of the positive class for the
     * binary kinds, the calibrated anomaly score for {@link ModelKind#AUTOENCODER}. Computes the
     * same function as {@link #toOnnx()}.
     */
    float[] predict(Dataset data);

    /**
     * The model as ONNX: input {@code "features"} float [batch, n] (raw, unstandardised values),
     * output {@code "score"} float [batch, 1] in [0, 1].
     */
    byte[] toOnnx();

    /** One line for logs, e.g. {@code "mlp 16-32-16-1, 12 epochs, val loss 0.041"}. */
    String summary();
}

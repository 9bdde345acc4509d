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

    /**
     * Whether the fit ended on its own criterion (early stopping's patience on the validation
     * loss, or the solver's tolerance) rather than at a cap (max-epochs, iterations, trees) it
     * might have gone past. The {@link #summary()} says which, e.g. {@code "converged after 84
     * epochs (best 79)"} or {@code "capped at 500 epochs, still improving (best 500)"}.
     */
    boolean converged();

    /** One line for logs, e.g. {@code "mlp 16-32-16-1, converged after 12 epochs (best 9), val loss 0.041, ..."}. */
    String summary();
}

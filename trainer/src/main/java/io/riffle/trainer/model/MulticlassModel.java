package io.riffle.trainer.model;

import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.data.Dataset;

/**
 * A fitted multiclass model: K class probabilities per row, and the equivalent ONNX graph (input
 * {@code "features"} float [batch, n] of raw values, output {@code "score"} float [batch, K], rows
 * summing to 1). Column j is class j of the {@link io.riffle.trainer.data.ClassVocabulary} it was
 * fitted with.
 */
public interface MulticlassModel {

    ModelKind kind();

    /** Length of the feature vector the model takes. */
    int features();

    /** Number of classes K. */
    int classes();

    /** Row-major {@code rows x K} probabilities of {@code data}'s rows (its labels are not read); the graph's function. */
    float[] predict(Dataset data);

    /** The model as ONNX, standard operators only. */
    byte[] toOnnx();

    /** Whether the fit ended on its own criterion rather than at a cap (see {@link TrainedModel#converged()}). */
    boolean converged();

    /** One line for logs. */
    String summary();
}

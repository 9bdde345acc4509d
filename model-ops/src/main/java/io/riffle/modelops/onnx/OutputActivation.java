package io.riffle.modelops.onnx;

/** The activation applied to the last layer of a {@link OnnxGraphs#denseNetwork dense network}. */
public enum OutputActivation {
    /** Element-wise logistic function: one probability per output column. */
    SIGMOID,
    /** Softmax over the output columns (axis 1): a probability distribution per row. */
    SOFTMAX,
    /** Raw logits. Not accepted by the validator for binary/anomaly models unless already in [0,1]. */
    NONE
}

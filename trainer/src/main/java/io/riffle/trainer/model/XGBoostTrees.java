package io.riffle.trainer.model;

import static io.riffle.modelops.onnx.OnnxGraphBuilder.BATCH;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.riffle.modelops.onnx.OnnxGraphBuilder;
import io.riffle.modelops.onnx.OnnxGraphs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The trees of an XGBoost {@code binary:logistic} booster, read from its JSON model
 * ({@code Booster.toByteArray("json")}), and their ONNX form: an {@code ai.onnx.ml}
 * TreeEnsembleRegressor summing leaf values onto the margin offset, then a Sigmoid.
 *
 * <p>XGBoost sends a row left iff {@code x < split_condition}, and a missing (NaN) value
 * the node's default way; that is ONNX's {@code BRANCH_LT} with the true branch = left and
 * {@code nodes_missing_value_tracks_true = default_left}. In XGBoost 3.x the JSON
 * {@code base_score} of a logistic model is a probability, so the margin offset is its logit.
 */
final class XGBoostTrees {

    /** TreeEnsembleRegressor-3 (float thresholds; ONNX Runtime runs it on the CPU provider only). */
    static final int ML_OPSET = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int features;
    private final float marginOffset;
    private final Tree[] trees;

    /** One tree in XGBoost's array layout: node {@code i} is a leaf iff {@code left[i] == -1}. */
    record Tree(int[] left, int[] right, int[] feature, float[] condition, boolean[] defaultLeft) {
        int size() {
            return left.length;
        }
    }

    private XGBoostTrees(int features, float marginOffset, Tree[] trees) {
        this.features = features;
        this.marginOffset = marginOffset;
        this.trees = trees;
    }

    /** Parses the first {@code rounds} trees of a JSON model of {@code features} inputs. */
    static XGBoostTrees parse(byte[] modelJson, int features, int rounds) {
        JsonNode root;
        try {
            root = JSON.readTree(modelJson);
        } catch (IOException e) {
            throw new UncheckedIOException("XGBoost's JSON model could not be parsed", e);
        }
        JsonNode learner = root.path("learner");
        String objective = learner.path("objective").path("name").asText();
        if (!"binary:logistic".equals(objective)) {
            throw new IllegalArgumentException("only binary:logistic boosters convert to ONNX here, got '" + objective + "'");
        }
        JsonNode booster = learner.path("gradient_booster");
        if (!"gbtree".equals(booster.path("name").asText())) {
            throw new IllegalArgumentException("only gbtree boosters convert to ONNX, got '" + booster.path("name").asText() + "'");
        }
        double baseScore = parseBaseScore(learner.path("learner_model_param").path("base_score").asText());
        JsonNode treeNodes = booster.path("model").path("trees");
        if (treeNodes.size() < rounds) {
            throw new IllegalArgumentException("the model has " + treeNodes.size() + " trees, " + rounds + " requested");
        }
        Tree[] trees = new Tree[rounds];
        for (int t = 0; t < rounds; t++) {
            trees[t] = parseTree(treeNodes.get(t), t, features);
        }
        float offset = (float) Math.log(baseScore / (1.0 - baseScore));
        return new XGBoostTrees(features, offset, trees);
    }

    /** XGBoost 2+ writes {@code "[5E-1]"} (a vector, for multi-target models); older ones {@code "5E-1"}. */
    static double parseBaseScore(String text) {
        String s = text.trim();
        if (s.startsWith("[")) {
            s = s.substring(1, s.length() - 1).trim();
            if (s.contains(",")) {
                throw new IllegalArgumentException("a binary model has one base_score, got " + text);
            }
        }
        double p = Double.parseDouble(s);
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("base_score of a logistic model must be a probability in (0,1), got " + text);
        }
        return p;
    }

    private static Tree parseTree(JsonNode tree, int index, int features) {
        int[] left = ints(tree.path("left_children"));
        int[] right = ints(tree.path("right_children"));
        int[] feature = ints(tree.path("split_indices"));
        JsonNode conditions = tree.path("split_conditions");
        JsonNode defaults = tree.path("default_left");
        JsonNode types = tree.path("split_type");
        int n = left.length;
        if (right.length != n || feature.length != n || conditions.size() != n || defaults.size() != n) {
            throw new IllegalArgumentException("tree " + index + " has inconsistent node arrays");
        }
        float[] condition = new float[n];
        boolean[] defaultLeft = new boolean[n];
        for (int i = 0; i < n; i++) {
            // Floats are written with round-trip precision, so the cast restores XGBoost's value.
            condition[i] = (float) conditions.get(i).asDouble();
            defaultLeft[i] = defaults.get(i).asBoolean();
            if (left[i] != -1) {
                if (types.size() == n && types.get(i).asInt() != 0) {
                    throw new IllegalArgumentException("tree " + index + " node " + i + " is a categorical split, "
                            + "which the ONNX export does not support");
                }
                if (feature[i] < 0 || feature[i] >= features) {
                    throw new IllegalArgumentException("tree " + index + " node " + i + " splits on feature "
                            + feature[i] + " of " + features);
                }
            }
        }
        return new Tree(left, right, feature, condition, defaultLeft);
    }

    private static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).asInt();
        }
        return a;
    }

    int rounds() {
        return trees.length;
    }

    /** Fails if a split of any tree reads a column {@code mask} ignores. */
    void requireUnused(FeatureMask mask) {
        if (!mask.ignoresAny()) {
            return;
        }
        for (int t = 0; t < trees.length; t++) {
            Tree tree = trees[t];
            for (int i = 0; i < tree.size(); i++) {
                if (tree.left()[i] != -1 && mask.ignores(tree.feature()[i])) {
                    throw new IllegalStateException("tree " + t + " node " + i + " splits on ignored feature "
                            + tree.feature()[i]);
                }
            }
        }
    }

    float marginOffset() {
        return marginOffset;
    }

    /** The ONNX graph: {@code "features"} [batch, n] to {@code "score"} [batch, 1] = sigmoid(margin). */
    byte[] toOnnx() {
        int total = 0;
        int leaves = 0;
        for (Tree t : trees) {
            total += t.size();
            for (int l : t.left()) {
                leaves += l == -1 ? 1 : 0;
            }
        }
        long[] treeIds = new long[total];
        long[] nodeIds = new long[total];
        long[] featureIds = new long[total];
        float[] values = new float[total];
        String[] modes = new String[total];
        long[] trueIds = new long[total];
        long[] falseIds = new long[total];
        long[] missingTracksTrue = new long[total];
        long[] targetTreeIds = new long[leaves];
        long[] targetNodeIds = new long[leaves];
        long[] targetIds = new long[leaves];
        float[] targetWeights = new float[leaves];
        int k = 0;
        int leaf = 0;
        for (int t = 0; t < trees.length; t++) {
            Tree tree = trees[t];
            for (int i = 0; i < tree.size(); i++, k++) {
                treeIds[k] = t;
                nodeIds[k] = i;
                if (tree.left()[i] == -1) {
                    modes[k] = "LEAF";
                    targetTreeIds[leaf] = t;
                    targetNodeIds[leaf] = i;
                    targetIds[leaf] = 0;
                    // A leaf's split_condition holds its (already eta-scaled) value.
                    targetWeights[leaf] = tree.condition()[i];
                    leaf++;
                } else {
                    modes[k] = "BRANCH_LT";
                    featureIds[k] = tree.feature()[i];
                    values[k] = tree.condition()[i];
                    trueIds[k] = tree.left()[i];
                    falseIds[k] = tree.right()[i];
                    missingTracksTrue[k] = tree.defaultLeft()[i] ? 1 : 0;
                }
            }
        }
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("n_targets", 1L);
        attributes.put("aggregate_function", "SUM");
        attributes.put("post_transform", "NONE");
        attributes.put("base_values", new float[] {marginOffset});
        attributes.put("nodes_treeids", treeIds);
        attributes.put("nodes_nodeids", nodeIds);
        attributes.put("nodes_featureids", featureIds);
        attributes.put("nodes_values", values);
        attributes.put("nodes_modes", modes);
        attributes.put("nodes_truenodeids", trueIds);
        attributes.put("nodes_falsenodeids", falseIds);
        attributes.put("nodes_missing_value_tracks_true", missingTracksTrue);
        attributes.put("target_treeids", targetTreeIds);
        attributes.put("target_nodeids", targetNodeIds);
        attributes.put("target_ids", targetIds);
        attributes.put("target_weights", targetWeights);

        OnnxGraphBuilder g = new OnnxGraphBuilder("riffle_gbdt");
        String x = g.input(OnnxGraphs.INPUT, BATCH, features);
        String margin = g.opInDomain(OnnxGraphBuilder.ML_DOMAIN, ML_OPSET, "TreeEnsembleRegressor", attributes, x);
        // TreeEnsembleRegressor already yields [batch, n_targets] = [batch, 1].
        g.output(g.op("Sigmoid", margin), OnnxGraphs.OUTPUT, BATCH, 1);
        return g.build();
    }
}

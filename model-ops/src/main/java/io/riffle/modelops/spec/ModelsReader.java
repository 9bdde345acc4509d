package io.riffle.modelops.spec;

import com.fasterxml.jackson.core.JsonToken;
import io.riffle.modelops.spec.SpecReader.Section;
import io.riffle.modelops.spec.YamlTree.Mark;
import io.riffle.modelops.spec.YamlTree.Node;
import io.riffle.modelops.spec.YamlTree.ScalarNode;
import io.riffle.modelops.trust.KeyFileException;
import io.riffle.modelops.trust.SigningKeys;
import io.riffle.schemas.ModelTask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the model path's sections of a pipeline file: {@code trainer:} ({@link TrainerSpec}) and
 * {@code models:} ({@link ModelSpec}, with each model's hyper-parameters typed for its kind,
 * {@link TrainerParams}); errors go to the file's {@link SpecReader} with line and column.
 */
final class ModelsReader {

    private final SpecReader r;
    private final Path file;

    ModelsReader(SpecReader r, Path file) {
        this.r = r;
        this.file = file;
    }

    /** The {@code trainer:} section; null when the file has none. */
    TrainerSpec trainer(Section s) {
        if (s == null) {
            return null;
        }
        TrainerSpec d = TrainerSpec.defaults();
        s.allow("window", "max-examples", "every", "after", "gate-margin", "signing-key", "min-examples",
                "min-positives", "holdout-fraction", "validation-fraction", "drift");
        int maxExamples = s.integer("max-examples", d.maxExamples(), 1, Integer.MAX_VALUE);
        int minExamples = s.integer("min-examples", d.minExamples(), 1, Integer.MAX_VALUE);
        if (minExamples > maxExamples) {
            r.error(s.valueMark(s.has("min-examples") ? "min-examples" : "max-examples"),
                    s.pathOf(s.has("min-examples") ? "min-examples" : "max-examples"),
                    "min-examples " + minExamples + " is above max-examples " + maxExamples
                            + ": the window could never hold enough to train");
            minExamples = Math.min(minExamples, maxExamples);
        }
        return new TrainerSpec(
                s.duration("window", d.window()),
                maxExamples,
                s.duration("every", d.retrainEvery()),
                s.integer("after", d.retrainAfterLabels(), 1, Integer.MAX_VALUE),
                s.number("gate-margin", d.gateMargin(), 0.0, 1.0),
                signingKey(s),
                minExamples,
                s.integer("min-positives", d.minPositives(), 0, Integer.MAX_VALUE),
                holdoutFraction(s, d.holdoutFraction()),
                s.number("validation-fraction", d.validationFraction(), TrainerSpec.MIN_FRACTION,
                        TrainerSpec.MAX_FRACTION),
                drift(s));
    }

    /** {@code trainer.holdout-fraction}: a share from {@link TrainerSpec#MIN_FRACTION} to the max, or 0 for none. */
    private double holdoutFraction(Section s, double def) {
        Node n = s.raw("holdout-fraction");
        if (n == null || (n instanceof ScalarNode sn0 && sn0.isNull())) {
            return def;
        }
        Double v = n instanceof ScalarNode sn && sn.isNumber() ? SpecReader.parseDouble(sn.text()) : null;
        if (v != null && v == TrainerSpec.NO_HOLDOUT) {
            return TrainerSpec.NO_HOLDOUT;
        }
        if (v != null && v >= TrainerSpec.MIN_FRACTION && v <= TrainerSpec.MAX_FRACTION) {
            return v;
        }
        r.error(n.mark(), s.pathOf("holdout-fraction"), "expected a number from " + TrainerSpec.MIN_FRACTION + " to "
                + TrainerSpec.MAX_FRACTION + ", or 0 for no holdout, found " + n.describe());
        return def;
    }

    /** {@code trainer.drift}: {@code off}, or {@code {detector: adwin|off, delta: 0.002}}. */
    private DriftSpec drift(Section s) {
        if (!s.has("drift")) {
            return DriftSpec.defaults();
        }
        Node n = s.raw("drift");
        if (n instanceof ScalarNode sn && !sn.isNull() && ("off".equals(sn.text()) || "false".equals(sn.text()))) {
            return DriftSpec.off();
        }
        Section d = s.section("drift");
        if (d == null) {
            return DriftSpec.defaults();
        }
        d.allow("detector", "delta");
        DriftSpec.Detector detector = d.choice("detector", SpecReader.spellings(DriftSpec.Detector.class),
                DriftSpec.Detector.ADWIN);
        double delta = d.number("delta", DriftSpec.DEFAULT_DELTA, 1e-12, 0.5);
        return new DriftSpec(detector, delta);
    }

    /** {@code trainer.signing-key}, relative to this file; read now, so a wrong file fails before anything starts. */
    private Path signingKey(Section s) {
        String path = s.text("signing-key", null);
        if (path == null) {
            return null;
        }
        Path key = file.getParent().resolve(path).normalize();
        try {
            SigningKeys.readPrivate(key);
        } catch (KeyFileException e) {
            r.error(s.valueMark("signing-key"), s.pathOf("signing-key"), e.getMessage());
        }
        return key;
    }

    /** A feature name under a model's {@code trainer.ignore}, checked once the features are known. */
    record IgnoredName(String model, String feature, Mark mark, String path) { }

    /** A multiclass model's {@code params.segment}, checked once the features are known. */
    record SegmentName(String model, String field, Mark mark, String path) { }

    /**
     * The {@code models:} list; the names under each {@code trainer.ignore} are added to {@code
     * ignoredNames}, each popularity model's {@code params.segment} to {@code segments}.
     */
    List<ModelSpec> models(Section top, TrainerSpec trainer, List<IgnoredName> ignoredNames,
                           List<SegmentName> segments) {
        double defaultMargin = trainer == null ? TrainerSpec.defaults().gateMargin() : trainer.gateMargin();
        List<ModelSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Node> items = top.list("models");
        for (int i = 0; i < items.size(); i++) {
            Node n = items.get(i);
            String path = SpecReader.index(top.pathOf("models"), i);
            Section s = r.section(n, path, n.mark());
            if (s == null) {
                continue;
            }
            s.allow("name", "task", "trainer", "thresholds", "on-worse", "gate-margin", "top-k");
            String name = s.requiredText("name", "the model name, the key of its versions on the models topic");
            if (name != null && !names.add(name)) {
                r.error(s.valueMark("name"), s.pathOf("name"), "model name '" + name + "' is used twice");
            }
            ModelTask task = s.requiredChoice("task", SpecReader.spellings(ModelTask.class));
            ModelKind kind = null;
            TrainerParams params = null;
            List<String> ignore = new ArrayList<>();
            if (!s.has("trainer")) {
                s.missing("trainer", "{kind: logistic|mlp|autoencoder|gbdt|popularity, params: {...}}");
            } else {
                Section t = s.section("trainer");
                if (t != null) {
                    t.allow("kind", "params", "ignore");
                    List<Node> ignoreItems = t.list("ignore");
                    for (int k = 0; k < ignoreItems.size(); k++) {
                        Node item = ignoreItems.get(k);
                        String itemPath = SpecReader.index(t.pathOf("ignore"), k);
                        if (item instanceof ScalarNode sn && !sn.isNull() && sn.text() != null) {
                            ignore.add(sn.text());
                            ignoredNames.add(new IgnoredName(name, sn.text(), item.mark(), itemPath));
                        } else {
                            r.error(item.mark(), itemPath, "expected a feature name, found " + item.describe());
                        }
                    }
                    kind = t.requiredChoice("kind", SpecReader.spellings(ModelKind.class));
                    if (kind != null && task != null && !kind.trains(task)) {
                        r.error(t.valueMark("kind"), t.pathOf("kind"), task == ModelTask.MULTICLASS
                                ? "kind " + kind.id() + " cannot train a multiclass model; multiclass takes"
                                        + " logistic (softmax), mlp (softmax) or popularity"
                                : "kind popularity is a multiclass baseline; model " + name + " is "
                                        + task.name().toLowerCase(java.util.Locale.ROOT)
                                        + " (use task: multiclass, or kind logistic, mlp, autoencoder or gbdt)");
                        kind = null;
                    }
                    Section p = t.section("params");
                    if (kind != null && task == ModelTask.MULTICLASS) {
                        params = multiclassParams(p, kind, name, segments);
                    } else if (kind != null) {
                        params = p == null ? TrainerParams.defaults(kind) : params(p, kind);
                    }
                }
            }
            Section th = s.section("thresholds");
            double review = ModelSpec.DEFAULT_REVIEW_THRESHOLD;
            double block = ModelSpec.DEFAULT_BLOCK_THRESHOLD;
            if (th != null) {
                th.allow("review", "block");
                review = th.number("review", review, 0.0, 1.0);
                block = th.number("block", block, 0.0, 1.0);
                if (review > block) {
                    r.error(th.mark, th.path, "review threshold " + review + " is above block threshold " + block
                            + "; review must be <= block");
                }
            }
            OnWorse onWorse = s.choice("on-worse", SpecReader.spellings(OnWorse.class), ModelSpec.DEFAULT_ON_WORSE);
            double margin = s.number("gate-margin", defaultMargin, 0.0, 1.0);
            int topK = s.integer("top-k", ModelSpec.DEFAULT_TOP_K, 1, ModelSpec.MAX_TOP_K);
            if (s.has("top-k") && task != null && task != ModelTask.MULTICLASS) {
                r.error(s.valueMark("top-k"), s.pathOf("top-k"), "top-k applies to task multiclass only; model "
                        + name + " is " + task.name().toLowerCase(java.util.Locale.ROOT) + " (remove top-k)");
            }
            out.add(new ModelSpec(name, task, kind, params, review, block, onWorse, margin, ignore, topK));
        }
        return out;
    }

    /**
     * {@code trainer.params} of a multiclass model of {@code kind}: the dense settings (softmax
     * kinds), {@code max-classes}, and popularity's {@code segment}, noted in {@code segments}.
     */
    private TrainerParams multiclassParams(Section p, ModelKind kind, String model, List<SegmentName> segments) {
        TrainerParams.Dense none = new TrainerParams.Dense(null, null, null, null, null, null, null, null);
        if (p == null) {
            return new TrainerParams.Multiclass(none, null, null);
        }
        p.allow(TrainerParams.multiclassKeys(kind).toArray(String[]::new));
        Integer maxClasses = p.has("max-classes")
                ? p.integer("max-classes", 1, 2, TrainerParams.Multiclass.MAX_CLASSES) : null;
        String segment = null;
        if (kind == ModelKind.POPULARITY) {
            segment = p.text("segment", null);
            if (segment != null) {
                segments.add(new SegmentName(model, segment, p.valueMark("segment"), p.pathOf("segment")));
            }
            return new TrainerParams.Multiclass(none, maxClasses, segment);
        }
        return new TrainerParams.Multiclass((TrainerParams.Dense) denseParams(p), maxClasses, null);
    }

    /** {@code trainer.params} for {@code kind}: only its keys, each of its type and range. */
    private TrainerParams params(Section p, ModelKind kind) {
        p.allow(TrainerParams.keys(kind).toArray(String[]::new));
        if (kind == ModelKind.GBDT) {
            Integer patience = p.has("patience") ? p.integer("patience", 0, 0, Integer.MAX_VALUE) : null;
            Boolean weighting = p.has("class-weighting") ? p.bool("class-weighting", true) : null;
            Long seed = wholeNumber(p, "seed");
            return new TrainerParams.Trees(positive(p, "trees"), positive(p, "max-depth"),
                    p.has("eta") ? p.number("eta", 1, Double.MIN_VALUE, Double.MAX_VALUE) : null,
                    positive(p, "threads"), patience, weighting, seed);
        }
        return denseParams(p);
    }

    /** The dense kinds' keys of {@code p} (which keys are allowed is the caller's check). */
    private TrainerParams denseParams(Section p) {
        Integer patience = p.has("patience") ? p.integer("patience", 0, 0, Integer.MAX_VALUE) : null;
        Boolean weighting = p.has("class-weighting") ? p.bool("class-weighting", true) : null;
        Long seed = wholeNumber(p, "seed");
        return new TrainerParams.Dense(hiddenLayers(p), positive(p, "max-epochs"), positive(p, "batch-size"),
                p.has("learning-rate") ? p.number("learning-rate", 1, Double.MIN_VALUE, Double.MAX_VALUE) : null,
                p.has("l2") ? p.number("l2", 0, 0, Double.MAX_VALUE) : null, patience, weighting, seed);
    }

    private static Integer positive(Section p, String key) {
        return p.has(key) ? p.integer(key, 1, 1, Integer.MAX_VALUE) : null;
    }

    /** A whole number of any size (a seed); null when absent or wrong (wrong is reported). */
    private Long wholeNumber(Section p, String key) {
        if (!p.has(key)) {
            return null;
        }
        Node n = p.raw(key);
        if (n instanceof ScalarNode s && s.token() == JsonToken.VALUE_NUMBER_INT) {
            try {
                return Long.parseLong(s.text().replace("_", ""));
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        r.error(n.mark(), p.pathOf(key), "expected a whole number, found " + n.describe());
        return null;
    }

    /** {@code hidden-layers}: a list of widths, each at least 1; null when absent. */
    private List<Integer> hiddenLayers(Section p) {
        if (!p.has("hidden-layers")) {
            return null;
        }
        List<Integer> widths = new ArrayList<>();
        List<Node> items = p.list("hidden-layers");
        for (int k = 0; k < items.size(); k++) {
            Node item = items.get(k);
            Integer w = null;
            if (item instanceof ScalarNode s && s.token() == JsonToken.VALUE_NUMBER_INT) {
                try {
                    long v = Long.parseLong(s.text().replace("_", ""));
                    w = v >= 1 && v <= Integer.MAX_VALUE ? (int) v : null;
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            if (w == null) {
                r.error(item.mark(), SpecReader.index(p.pathOf("hidden-layers"), k),
                        "expected a layer width (a whole number >= 1), found " + item.describe());
            } else {
                widths.add(w);
            }
        }
        return widths;
    }
}

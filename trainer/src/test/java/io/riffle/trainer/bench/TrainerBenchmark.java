package io.riffle.trainer.bench;

import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.registry.ModelVersions;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.schemas.ModelVersion;
import io.riffle.trainer.data.Dataset;
import io.riffle.trainer.eval.RankingMetrics;
import io.riffle.trainer.model.FeatureMask;
import io.riffle.trainer.model.MulticlassData;
import io.riffle.trainer.model.MulticlassModel;
import io.riffle.trainer.model.PopularityModel;
import io.riffle.trainer.model.ProgressListener;
import io.riffle.trainer.model.SoftmaxClassifier;
import io.riffle.trainer.service.MulticlassScoring;
import io.riffle.trainer.eval.Metrics;
import io.riffle.modelops.spec.ModelKind;
import io.riffle.trainer.model.ModelTrainer;
import io.riffle.trainer.model.TrainedModel;
import io.riffle.trainer.model.TrainerConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times every model kind on one synthetic set: {@link SyntheticData} with N rows x 16 features
 * and ~2% positives (N = first argument, default 1,000,000), trained on the first 90% and
 * validated (early stopping) on the last 10%; AUC is measured on a separate holdout of
 * min(N/10, 100,000) rows from another seed.
 *
 * <p>Each kind uses {@link TrainerConfig#defaults} (dense kinds: until early stopping after 3
 * epochs without a better validation loss, capped at 500; logistic by Newton's method where the
 * window allows; GBDT 200 trees). On 1M rows the mlp and the autoencoder converge after 9 and 7
 * epochs, logistic after 8 Newton iterations, and all four kinds take about 35 s on two cores; an
 * optional second argument caps the dense kinds' epochs (e.g. {@code 5}) for a quicker run. A
 * third argument sets the feature count (default 16), a fourth the kinds to run (comma separated
 * ids, default all), e.g. {@code 200000 500 46 logistic}. Output goes to stdout: this is a
 * command-line tool, kept in the test sources (it is no part of the trainer a user runs).
 *
 * <p>{@code multiclass [ROWS FEATURES CLASSES]} runs the multiclass case instead (default 50,000 x 60
 * x K = 1,000; see {@link #multiclass}). Measured on 2 cores (JDK 17): popularity fits in 0.0 s,
 * softmax logistic 19.6 s (9 epochs), softmax MLP 60-64-1000 32.1 s (12 epochs); ONNX Runtime
 * scores 400k (logistic) and 360k (MLP) rows/s in batches of 256 on one thread, within 1.8e-6 of
 * the trainer. The model-ops and schemas classes of the same checkout go first on the class path:
 * {@code java -cp trainer/target/test-classes:trainer/target/classes:model-ops/target/classes:}
 * {@code schemas/target/classes:$(cat /tmp/trainer.cp) io.riffle.trainer.bench.TrainerBenchmark multiclass}.
 */
public final class TrainerBenchmark {

    private static final int DEFAULT_FEATURES = 16;
    private static final double POSITIVE_RATE = 0.02;

    private TrainerBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("multiclass")) {
            multiclass(args.length > 1 ? Integer.parseInt(args[1].replace("_", "")) : 50_000,
                    args.length > 2 ? Integer.parseInt(args[2]) : 60,
                    args.length > 3 ? Integer.parseInt(args[3].replace("_", "")) : 1_000);
            return;
        }
        int rows = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int maxEpochs = args.length > 1 ? Integer.parseInt(args[1]) : TrainerConfig.defaults(ModelKind.MLP).maxEpochs();
        int features = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_FEATURES;
        List<ModelKind> kinds = args.length > 3
                ? Arrays.stream(args[3].split(",")).map(ModelKind::parse).toList()
                : Arrays.stream(ModelKind.values()).filter(k -> k != ModelKind.POPULARITY).toList();
        System.out.printf(Locale.ROOT, "TrainerBenchmark: %,d rows x %d features, %.0f%% positives, 90%%/10%% train/validation, "
                + "dense kinds up to %d epochs, %d cores, %s%n", rows, features, POSITIVE_RATE * 100, maxEpochs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
        long t = System.nanoTime();
        Dataset all = SyntheticData.generate(rows, features, POSITIVE_RATE, 1);
        int split = (int) (rows * 0.9);
        Dataset train = all.slice(0, split);
        Dataset validation = all.slice(split, rows);
        all = null;
        Dataset holdout = SyntheticData.generate(Math.max(1_000, Math.min(rows / 10, 100_000)), features, POSITIVE_RATE, 2);
        System.out.printf(Locale.ROOT, "data generated in %.1f s (train %,d, validation %,d, holdout %,d rows)%n%n",
                seconds(t), train.rows(), validation.rows(), holdout.rows());

        System.out.printf(Locale.ROOT, "%-12s %9s %11s %17s %12s  %s%n",
                "kind", "fit s", "holdout AUC", "export+parity s", "max |diff|", "model");
        for (ModelKind kind : kinds) {
            TrainerConfig config = TrainerConfig.defaults(kind).withMaxEpochs(maxEpochs);
            long fitStart = System.nanoTime();
            TrainedModel model = ModelTrainer.train(config, train, validation, (e, tl, vl) -> { });
            double fit = seconds(fitStart);
            float[] scores = model.predict(holdout);
            double auc = Metrics.rocAuc(scores, holdout.labels());

            long exportStart = System.nanoTime();
            byte[] onnx = model.toOnnx();
            ModelVersion mv = ModelVersions.fromOnnx(onnx, "bench-" + kind.id(), 1, kind.task(), features);
            float[] served = new float[holdout.rows()];
            try (LoadedModel loaded = new ModelLoader(EngineOptions.defaults()).load(mv, features, null)) {
                loaded.score(holdout.x(), holdout.rows(), served);
            }
            double maxDiff = 0;
            for (int r = 0; r < served.length; r++) {
                maxDiff = Math.max(maxDiff, Math.abs(served[r] - scores[r]));
            }
            double export = seconds(exportStart);
            System.out.printf(Locale.ROOT, "%-12s %9.1f %11.4f %17.2f %12.1e  %s (%,d ONNX bytes)%n",
                    kind.id(), fit, auc, export, maxDiff, model.summary(), onnx.length);
        }
    }

    /**
     * {@code multiclass ROWS FEATURES CLASSES} (default 50,000 x 60 x 1,000): fit time of the softmax
     * logistic and MLP (90%/10% train/validation, early stopping) and of the popularity baseline,
     * holdout recall@10 of each, parity with ONNX Runtime, and ONNX Runtime's scoring throughput of
     * the exported graph in batches of {@link MulticlassScoring#BATCH} rows on one thread.
     */
    private static void multiclass(int rows, int features, int classes) throws Exception {
        System.out.printf(Locale.ROOT, "TrainerBenchmark multiclass: %,d rows x %d features, K = %,d classes, "
                + "90%%/10%% train/validation, %d cores, %s%n", rows, features, classes,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " " + Runtime.version());
        int split = (int) (rows * 0.9);
        MulticlassData.Problem train = MulticlassData.generate(split, features, classes, 0.5, 1);
        MulticlassData.Problem validation = MulticlassData.generate(rows - split, features, classes, 0.5, 2);
        MulticlassData.Problem holdout = MulticlassData.generate(10_000, features, classes, 0.5, 3);
        int n = holdout.data().rows();
        System.out.printf(Locale.ROOT, "%-12s %9s %10s %12s %14s  %s%n", "kind", "fit s", "recall@10", "max |diff|",
                "ORT rows/s", "model");
        for (ModelKind kind : List.of(ModelKind.POPULARITY, ModelKind.LOGISTIC, ModelKind.MLP)) {
            long fitStart = System.nanoTime();
            MulticlassModel model = kind == ModelKind.POPULARITY
                    ? PopularityModel.fit(train.data(), train.classes(), classes, new int[0])
                    : SoftmaxClassifier.fit(TrainerConfig.multiclassDefaults(kind), FeatureMask.all(features),
                            train.data(), train.classes(), validation.data(), validation.classes(), classes,
                            ProgressListener.NONE);
            double fit = seconds(fitStart);
            float[] own = model.predict(holdout.data());
            double recall = RankingMetrics.evaluate(own, n, classes, holdout.classes(), 10).recallAtK();
            byte[] onnx = model.toOnnx();
            float[] served = new float[n * classes];
            double throughput;
            try (MulticlassScoring scoring = new MulticlassScoring(onnx, ModelVersions.sha256Hex(onnx), features,
                    classes)) {
                scoring.score(holdout.data().x(), n, served);       // warm-up
                long t = System.nanoTime();
                int passes = 0;
                do {
                    scoring.score(holdout.data().x(), n, served);
                    passes++;
                } while (System.nanoTime() - t < 3_000_000_000L);
                throughput = (double) passes * n / seconds(t);
            }
            double maxDiff = 0;
            for (int k = 0; k < served.length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(served[k] - own[k]));
            }
            System.out.printf(Locale.ROOT, "%-12s %9.1f %10.4f %12.1e %,14.0f  %s (%,d ONNX bytes)%n",
                    kind.id(), fit, recall, maxDiff, throughput, model.summary(), onnx.length);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

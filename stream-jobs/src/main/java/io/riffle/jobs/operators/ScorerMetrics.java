package io.riffle.jobs.operators;

import io.riffle.modelops.engine.SessionCache;
import io.riffle.modelops.serving.LoadedModel;
import io.riffle.modelops.serving.ServingModels;
import io.riffle.schemas.Decision;
import io.riffle.schemas.ModelEventKind;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * A {@link BatchingScorer}'s metrics. Key/value groups become Prometheus labels under Flink's
 * Prometheus reporter (prefix {@code flink_taskmanager_job_task_operator_}):
 * <ul>
 *   <li>{@code model_version_role_riffleScored{model,version,role}}: records scored per model version
 *       and role; {@code model_version_role_riffleInferenceMillis{model,version,role}}: a summary of
 *       the ONNX Runtime call time per batch;</li>
 *   <li>{@code riffleBatchSize}: a summary of batch sizes; {@code decision_riffleDecisions{decision}}:
 *       scores per decision; {@code kind_riffleModelEvents{kind}}: model events this scorer emitted;</li>
 *   <li>{@code device_riffleServingDevice{device}}: 1 for the device that serves ({@code cpu} or
 *       {@code cuda}), 0 for the other; {@code riffleOpenSessions}: ONNX Runtime sessions open in the
 *       JVM ({@link SessionCache#shared()});</li>
 *   <li>and, unlabelled: records scored, batches, dead letters, rejected versions, NaN or infinite
 *       outputs, records waiting for models, and per model name the version serving
 *       ({@code model_version{model}}).</li>
 * </ul>
 */
final class ScorerMetrics {
    /** Samples a histogram keeps (Flink's sliding window over the latest values). */
    private static final int HISTOGRAM_WINDOW = 1024;

    final Counter scored;
    final Counter batches;
    final Counter deadLetters;
    final Counter rejected;
    final Counter nonFiniteOutputs;
    final Histogram batchSize;
    private final Counter[] decisions;
    private final Counter[] modelEvents;
    private final MetricGroup group;
    private final ServingModels models;
    private final Set<String> versionGauges = new HashSet<>();
    private final Set<String> deviceGauges = new HashSet<>();
    /** Per model name/version/role: its counter and inference-time histogram. */
    private final Map<String, PerVersion> perVersion = new HashMap<>();
    /** The metrics of the serving slots, in slot order: looked up once per swap, not per batch. */
    private PerVersion[] serving = new PerVersion[0];
    private LoadedModel[] servingSlots = new LoadedModel[0];

    private record PerVersion(Counter scored, Histogram inferenceMillis) { }

    ScorerMetrics(MetricGroup group, ServingModels models, IntSupplier waiting) {
        this.group = group;
        this.models = models;
        scored = group.counter("riffleScored");
        batches = group.counter("riffleBatches");
        deadLetters = group.counter("riffleDeadLetters");
        rejected = group.counter("riffleModelsRejected");
        nonFiniteOutputs = group.counter("riffleNonFiniteOutputs");
        batchSize = group.histogram("riffleBatchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        group.gauge("riffleWaiting", waiting::getAsInt);
        group.gauge("riffleDevice", models::device);
        group.gauge("riffleOpenSessions", () -> SessionCache.shared().openSessions());
        Decision[] ds = Decision.values();
        decisions = new Counter[ds.length];
        for (Decision d : ds) {
            decisions[d.ordinal()] = group.addGroup("decision", d.name()).counter("riffleDecisions");
        }
        ModelEventKind[] ks = ModelEventKind.values();
        modelEvents = new Counter[ks.length];
        for (ModelEventKind k : ks) {
            modelEvents[k.ordinal()] = group.addGroup("kind", k.name().toLowerCase(Locale.ROOT))
                    .counter("riffleModelEvents");
        }
        deviceGauge("cpu");
        servingChanged();
    }

    /** Registers the gauges and counters of every model name, version and device not seen before. */
    void servingChanged() {
        LoadedModel[] slots = models.slots();
        PerVersion[] now = new PerVersion[slots.length];
        for (int i = 0; i < slots.length; i++) {
            now[i] = perVersion(slots[i]);
        }
        serving = now;
        servingSlots = slots;
        for (LoadedModel m : slots) {
            String name = m.name();
            if (versionGauges.add(name)) {
                group.addGroup("model", name).gauge("version", () -> {
                    LoadedModel current = models.get(name);
                    return current == null ? 0 : current.versionNumber();
                });
            }
            String kind = deviceKind(m.device());
            if (kind != null) {
                deviceGauge(kind);
            }
        }
    }

    /** After a batch of {@code size} rows was scored by every serving model. */
    void batchScored(int size) {
        scored.inc(size);
        batches.inc();
        batchSize.update(size);
        if (servingSlots != models.slots()) {
            servingChanged();   // models installed without telling (a restore before open)
        }
        PerVersion[] slots = serving;
        for (int m = 0; m < slots.length; m++) {
            PerVersion v = slots[m];
            v.scored.inc(size);
            v.inferenceMillis.update(Math.round(models.scoreNanos(m) / 1_000_000.0));
        }
    }

    void decided(Decision decision) {
        decisions[decision.ordinal()].inc();
    }

    void modelEvent(ModelEventKind kind) {
        modelEvents[kind.ordinal()].inc();
    }

    private PerVersion perVersion(LoadedModel m) {
        String role = m.role() == null ? "champion" : m.role().name().toLowerCase(Locale.ROOT);
        String key = m.name() + '\u0000' + m.versionNumber() + '\u0000' + role;
        PerVersion v = perVersion.get(key);
        if (v == null) {
            MetricGroup g = group.addGroup("model", m.name()).addGroup("version", String.valueOf(m.versionNumber()))
                    .addGroup("role", role);
            v = new PerVersion(g.counter("riffleScored"),
                    g.histogram("riffleInferenceMillis", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW)));
            perVersion.put(key, v);
        }
        return v;
    }

    private void deviceGauge(String kind) {
        if (deviceGauges.add(kind)) {
            group.addGroup("device", kind).gauge("riffleServingDevice",
                    (Gauge<Integer>) () -> kind.equals(deviceKind(models.device())) ? 1 : 0);
        }
    }

    /** {@code cuda:0} is {@code cuda}, {@code cpu} is {@code cpu}; {@code none} (nothing serves yet) is null. */
    static String deviceKind(String device) {
        if (device == null || device.equals("none")) {
            return null;
        }
        return device.startsWith("cuda") ? "cuda" : "cpu";
    }
}

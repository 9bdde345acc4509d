package io.riffle.tests.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.riffle.cli.Riffle;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.spec.PipelineSpec;
import io.riffle.tests.deploy.DockerfileInstructions.Instruction;
import io.riffle.tests.deploy.KubernetesManifests.Manifest;
import io.riffle.tests.deploy.KubernetesManifests.Pod;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files under {@code docker/}, checked without a Docker engine or a cluster (none runs where
 * Riffle is built): Docker Compose's own validation of the compose file, the Kubernetes manifests
 * as typed models and against the Flink Kubernetes Operator 1.15.0 CRD's schema, the Grafana
 * dashboard's queries against the metric names Riffle exports, Prometheus' scrape targets against
 * the compose services, the Dockerfiles' build inputs, and every riffle command the files run
 * against the real command tree.
 */
class DeploymentFilesTest {
    private static final Path ROOT = repositoryRoot();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final Path K8S = DOCKER.resolve("k8s");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final String ORT_PARENT_FIRST = "ai.onnxruntime.";

    // ---- (a) the compose file, as Docker Compose reads it -----------------------------------------

    @Test
    void composeFileIsValidForDockerCompose() throws Exception {
        Path binary = onPath("docker-compose");
        assumeTrue(binary != null, "docker-compose is not installed (.ci/run installs Debian's)");
        Process p = new ProcessBuilder(binary.toString(), "-f", DOCKER.resolve("compose.yaml").toString(), "config", "-q")
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
        assertThat(p.exitValue()).as("docker-compose config -q exit code; output:%n%s", output).isZero();
    }

    @Test
    void composeRunsTheWholeStack() throws IOException {
        Map<String, Map<String, Object>> services = composeServices();
        assertThat(services).containsKeys("kafka", "topics", "jobmanager", "taskmanager-1", "taskmanager-2", "submit",
                "trainer-fraud", "trainer-anomaly", "dashboard", "prometheus", "grafana");
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:4.2.2");
        assertThat(services.get("prometheus").get("image")).isEqualTo("prom/prometheus:v3.5.0");
        assertThat(services.get("grafana").get("image")).isEqualTo("grafana/grafana:12.2.0");

        // Every topic the pipeline names (KafkaTopics creates the same set), the models topic compacted.
        String topics = String.join("\n", command(services.get("topics")));
        for (String topic : List.of("riffle.events", "riffle.labels", "riffle.features", "riffle.training",
                "riffle.scores", "riffle.alerts", "riffle.recommendations", "riffle.dead-letters",
                "riffle.model-events", "riffle.models")) {
            assertThat(topics).as("topics service creates %s", topic).containsPattern(Pattern.quote(topic) + "\\b");
        }
        assertThat(topics).containsPattern("--topic riffle\\.models [^\\n]*cleanup\\.policy=compact");

        for (String flink : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
            String properties = String.valueOf(env(services.get(flink)).get("FLINK_PROPERTIES"));
            assertThat(properties).as(flink).contains("metrics.reporter.prom.factory.class: " + PROMETHEUS_REPORTER)
                    .contains("metrics.reporter.prom.port: 9249")
                    .contains("metrics.reporter.prom.filterLabelValueCharacters: false")
                    .contains("classloader.parent-first-patterns.additional: " + ORT_PARENT_FIRST);
            assertThat(build(services.get(flink)).get("target")).as(flink + " image target").isEqualTo("flink");
        }
        List<String> submit = command(services.get("submit"));
        assertThat(submit).containsSubsequence("submit", "--jobmanager", "jobmanager:8081")
                .containsSubsequence("--provided", "onnxruntime");
    }

    /** Host paths the compose file mounts and builds from exist; the targets are stages of the Dockerfile. */
    @Test
    void composeBuildsAndMountsWhatExists() throws IOException {
        for (var service : composeServices().entrySet()) {
            Map<String, Object> build = build(service.getValue());
            if (!build.isEmpty()) {
                Path context = DOCKER.resolve(String.valueOf(build.get("context"))).normalize();
                Path dockerfile = context.resolve(String.valueOf(build.get("dockerfile")));
                assertThat(dockerfile).as(service.getKey() + " dockerfile").isRegularFile();
                assertThat(DockerfileInstructions.stages(DockerfileInstructions.read(dockerfile)))
                        .as(service.getKey() + " build target").contains(String.valueOf(build.get("target")));
            }
            for (Object volume : list(service.getValue().get("volumes"))) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(DOCKER.resolve(source).normalize()).as(service.getKey() + " volume " + volume).exists();
                }
            }
        }
    }

    // ---- (b) Kubernetes manifests as typed models ----------------------------------------------------

    @TestFactory
    Stream<DynamicTest> kubernetesManifestsHangTogether() {
        return Stream.of(
                DynamicTest.dynamicTest("CPU: docker/k8s", () -> checkManifestSet(cpuManifests(), false)),
                DynamicTest.dynamicTest("GPU: docker/k8s with gpu/", () -> checkManifestSet(gpuManifests(), true)));
    }

    private void checkManifestSet(KubernetesManifests set, boolean gpu) throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> configMaps = set.typed(ConfigMap.class).stream().map(c -> c.getMetadata().getName())
                .collect(Collectors.toSet());
        for (Manifest m : set.all()) {
            assertThat(m.kind()).as(m.file() + ": a kind these checks know")
                    .isIn("ConfigMap", "Service", "Deployment", "Job", "FlinkDeployment");
            assertThat(m.name()).as(m + " has a name").isNotBlank();
            if (m.typed() != null) {
                KubernetesManifests.unknownFields(m.typed()).forEach(f -> problems.add(m + ": " + f));
            }
        }
        for (Deployment d : set.typed(Deployment.class)) {
            String what = "Deployment/" + d.getMetadata().getName();
            Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
            assertThat(selector).as(what + " selector").isNotEmpty();
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as(what + " pod labels match its selector")
                    .containsAllEntriesOf(selector);
        }
        for (Job j : set.typed(Job.class)) {
            assertThat(j.getSpec().getTemplate().getSpec().getRestartPolicy()).as("Job/" + j.getMetadata().getName())
                    .isIn("Never", "OnFailure");
        }
        List<Pod> pods = set.pods();
        for (Pod pod : pods) {
            Set<String> volumes = new LinkedHashSet<>();
            for (Volume v : pod.spec().getVolumes()) {
                volumes.add(v.getName());
                if (v.getConfigMap() != null && !configMaps.contains(v.getConfigMap().getName())) {
                    problems.add(pod.owner() + ": volume " + v.getName() + " names ConfigMap "
                            + v.getConfigMap().getName() + ", which no manifest defines");
                }
            }
            for (Container c : pod.spec().getContainers()) {
                if (!pod.owner().startsWith("FlinkDeployment/")) {   // the operator sets the Flink image
                    if (c.getImage() == null || c.getImage().isBlank()) {
                        problems.add(pod.owner() + ": container " + c.getName() + " has no image");
                    }
                }
                for (VolumeMount mount : c.getVolumeMounts()) {
                    if (!volumes.contains(mount.getName())) {
                        problems.add(pod.owner() + ": mount of undeclared volume " + mount.getName());
                    }
                }
            }
        }
        for (Service s : set.typed(Service.class)) {
            String what = "Service/" + s.getMetadata().getName();
            Map<String, String> selector = s.getSpec().getSelector();
            List<Pod> selected = pods.stream()
                    .filter(p -> selector != null && !selector.isEmpty() && p.labels().entrySet().containsAll(selector.entrySet()))
                    .toList();
            if (selected.isEmpty()) {
                problems.add(what + " selects no pod of these manifests (selector " + selector + ")");
            }
            for (ServicePort port : s.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
                for (Pod pod : selected) {
                    boolean served = pod.spec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                            .anyMatch(cp -> target.getStrVal() != null ? target.getStrVal().equals(cp.getName())
                                    : Objects.equals(target.getIntVal(), cp.getContainerPort()));
                    if (!served) {
                        problems.add(what + " port " + port.getPort() + " -> " + target + ": no such container port in "
                                + pod.owner());
                    }
                }
            }
        }
        // Every address a riffle command is given resolves to a Service of the set (or the operator's REST service).
        Set<String> services = set.typed(Service.class).stream().map(s -> s.getMetadata().getName())
                .collect(Collectors.toCollection(TreeSet::new));
        set.ofKind("FlinkDeployment").forEach(f -> services.add(f.name() + "-rest"));
        for (RiffleCommand command : k8sRiffleCommands(set)) {
            for (String address : command.addresses()) {
                String host = address.replaceFirst("^https?://", "").replaceFirst("[:/].*$", "");
                if (!host.equals("kafka") && !services.contains(host)) {
                    problems.add(command + ": " + address + " is no Service of these manifests " + services);
                }
            }
        }
        assertThat(problems).as("problems").isEmpty();

        Manifest flink = single(set.ofKind("FlinkDeployment"));
        JsonNode spec = flink.tree().path("spec");
        assertThat(spec.has("job")).as("session mode: no job in the FlinkDeployment").isFalse();
        assertThat(spec.path("taskManager").path("replicas").asInt()).isEqualTo(2);
        assertThat(spec.path("flinkConfiguration").path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo(PROMETHEUS_REPORTER);
        assertThat(spec.path("flinkConfiguration").path("classloader.parent-first-patterns.additional").asText())
                .isEqualTo(ORT_PARENT_FIRST);
        PodTemplateSpec tm = KubernetesManifests.podTemplate(spec.path("taskManager").path("podTemplate"));
        Map<String, Quantity> tmLimits = tm.getSpec() == null ? Map.of() : tm.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("flink-main-container") && c.getResources() != null
                        && c.getResources().getLimits() != null)
                .findFirst().map(c -> c.getResources().getLimits()).orElse(Map.of());
        if (gpu) {
            assertThat(spec.path("image").asText()).contains("cuda");
            assertThat(tmLimits.get("nvidia.com/gpu")).as("a GPU per TaskManager").isEqualTo(new Quantity("1"));
        } else {
            assertThat(spec.path("image").asText()).doesNotContain("cuda");
            assertThat(tmLimits).doesNotContainKey("nvidia.com/gpu");
        }
        Job submit = single(set.typed(Job.class));
        List<String> args = submit.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        assertThat(args).containsSubsequence("submit", "--jobmanager", flink.name() + "-rest:8081");
    }

    /** The pipeline file in the ConfigMap is a valid pipeline with its schema beside it, scoring on device auto. */
    @Test
    void pipelineConfigMapIsAValidPipeline(@TempDir Path dir) throws Exception {
        ConfigMap map = single(cpuManifests().typed(ConfigMap.class));
        for (var entry : map.getData().entrySet()) {
            Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
        }
        assertThat(map.getData().get("transaction.avsc")).as("the demo's event schema, unchanged")
                .isEqualTo(Files.readString(ROOT.resolve("pipelines/transaction.avsc")));
        PipelineSpec spec = PipelineSpec.load(dir.resolve("pipeline.yaml"));
        assertThat(spec.scoring().device().kind()).isEqualTo(DeviceRequest.Kind.AUTO);
        assertThat(spec.models()).extracting(m -> m.name()).contains("fraud", "anomaly");
    }

    // ---- (c) the FlinkDeployment against the operator's CRD schema -----------------------------------

    @TestFactory
    Stream<DynamicTest> flinkDeploymentsMatchTheOperatorCrd() throws IOException {
        Schema schema = crdSchema();
        List<Path> files = List.of(K8S.resolve("flink-session.yaml"), K8S.resolve("gpu/flink-session.yaml"));
        return files.stream().map(file -> DynamicTest.dynamicTest(ROOT.relativize(file).toString(), () -> {
            Manifest m = single(KubernetesManifests.read(List.of(file)).ofKind("FlinkDeployment"));
            assertThat(m.tree().path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
            List<Error> errors = schema.validate(m.tree());
            assertThat(errors).as("schema errors of %s", file).isEmpty();
        }));
    }

    /** The strict schema is not vacuous: a misspelt field and a wrong type are caught. */
    @Test
    void crdSchemaCatchesMistakes() throws IOException {
        Schema schema = crdSchema();
        JsonNode good = single(cpuManifests().ofKind("FlinkDeployment")).tree();
        ObjectNode misspelt = good.deepCopy();
        ((ObjectNode) misspelt.path("spec").path("taskManager")).put("replica", 2);
        ObjectNode wrongType = good.deepCopy();
        ((ObjectNode) wrongType.path("spec").path("taskManager")).put("replicas", "two");
        ObjectNode wrongVersion = good.deepCopy();
        ((ObjectNode) wrongVersion.path("spec")).put("flinkVersion", "v9_9");
        assertThat(schema.validate(misspelt)).isNotEmpty();
        assertThat(schema.validate(wrongType)).isNotEmpty();
        assertThat(schema.validate(wrongVersion)).isNotEmpty();
    }

    // ---- (d) Grafana -------------------------------------------------------------------------------------

    @Test
    void grafanaPanelsQueryOnlyKnownMetrics() throws IOException {
        Set<String> known = knownMetrics();
        JsonNode dashboard = JSON.readTree(DOCKER.resolve("grafana/dashboards/riffle.json").toFile());
        List<JsonNode> panels = new ArrayList<>();
        collectPanels(dashboard.path("panels"), panels);
        assertThat(panels).as("panels").hasSizeGreaterThanOrEqualTo(14);
        Set<String> used = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        String datasource = datasourceUid();
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            JsonNode targets = panel.path("targets");
            if (!targets.isArray() || targets.isEmpty()) {
                problems.add("panel '" + title + "' has no target");
            }
            for (JsonNode target : targets) {
                String expr = target.path("expr").asText("");
                if (expr.isBlank()) {
                    problems.add("panel '" + title + "' has a target without a PromQL expression");
                }
                Set<String> names = PromQlNames.metricNames(expr);
                if (names.isEmpty()) {
                    problems.add("panel '" + title + "': no metric in " + expr);
                }
                for (String name : names) {
                    String family = PromQlNames.family(name, known);
                    if (!known.contains(family)) {
                        problems.add("panel '" + title + "': " + name + " is not in docker/metrics.txt (" + expr + ")");
                    }
                    used.add(family);
                }
                String uid = target.path("datasource").path("uid").asText(panel.path("datasource").path("uid").asText());
                if (!uid.equals(datasource)) {
                    problems.add("panel '" + title + "' uses datasource '" + uid + "', provisioned is '" + datasource + "'");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(used).as("every exported metric has a panel").containsAll(known);
    }

    @Test
    void grafanaProvisioningPointsAtTheDashboards() throws IOException {
        JsonNode providers = KubernetesManifests.YAML.readTree(
                DOCKER.resolve("grafana/provisioning/dashboards/riffle.yml").toFile());
        String path = providers.path("providers").get(0).path("options").path("path").asText();
        List<String> volumes = list(composeServices().get("grafana").get("volumes")).stream().map(String::valueOf).toList();
        assertThat(volumes).contains("./grafana/dashboards:" + path + ":ro");
        JsonNode datasources = KubernetesManifests.YAML.readTree(
                DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile());
        assertThat(datasources.path("datasources").get(0).path("url").asText()).isEqualTo("http://prometheus:9090");
    }

    // ---- (e) Prometheus ----------------------------------------------------------------------------------

    @Test
    void prometheusScrapesTheFlinkProcessesAndTrainersOfCompose() throws IOException {
        JsonNode config = KubernetesManifests.YAML.readTree(DOCKER.resolve("prometheus/prometheus.yml").toFile());
        Set<String> targets = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            assertThat(job.path("job_name").asText()).isNotBlank();
            for (JsonNode sc : job.path("static_configs")) {
                sc.path("targets").forEach(t -> targets.add(t.asText()));
            }
        }
        Map<String, Map<String, Object>> services = composeServices();
        Set<String> expected = new TreeSet<>();
        for (var s : services.entrySet()) {
            List<String> cmd = command(s.getValue());
            String flinkProperties = String.valueOf(env(s.getValue()).get("FLINK_PROPERTIES"));
            if (!cmd.isEmpty() && List.of("jobmanager", "taskmanager").contains(cmd.get(0))) {
                Matcher port = Pattern.compile("metrics\\.reporter\\.prom\\.port: (\\d+)").matcher(flinkProperties);
                assertThat(port.find()).as(s.getKey() + " reporter port").isTrue();
                expected.add(s.getKey() + ":" + port.group(1));
            }
            if (!cmd.isEmpty() && cmd.get(0).equals("trainer")) {
                expected.add(s.getKey() + ":" + cmd.get(cmd.indexOf("--metrics-port") + 1));
            }
        }
        assertThat(expected).as("compose services with metrics").hasSize(5);
        assertThat(targets).containsAll(expected);
        for (String target : targets) {
            String host = target.split(":")[0];
            assertThat(host.equals("localhost") || services.containsKey(host)).as(target + " is a compose service").isTrue();
        }
        // The dashboard reads the same endpoints.
        for (String url : optionValues(command(services.get("dashboard")), "--metrics-url")) {
            URI u = URI.create(url);
            assertThat(expected).as("dashboard --metrics-url " + url).contains(u.getHost() + ":" + u.getPort());
        }
    }

    // ---- (f) Dockerfiles ---------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> dockerfilesCopyOnlyWhatTheContextHas() {
        return Stream.of("Dockerfile", "Dockerfile.cuda").map(name -> DynamicTest.dynamicTest(name, () -> {
            List<Instruction> instructions = DockerfileInstructions.read(DOCKER.resolve(name));
            DockerIgnore ignore = DockerIgnore.read(ROOT.resolve(".dockerignore"));
            List<String> stages = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (Instruction i : instructions) {
                if (i.keyword().equals("FROM")) {
                    stages.addAll(DockerfileInstructions.stages(List.of(i)));
                }
                if (!i.keyword().equals("COPY") && !i.keyword().equals("ADD")) {
                    continue;
                }
                String from = i.flag("from");
                if (from != null) {
                    if (!stages.contains(from) && !from.contains(":") && !from.contains("/")) {
                        problems.add(i + ": --from=" + from + " is no earlier stage");
                    }
                    continue;
                }
                List<String> args = i.arguments();
                for (String source : args.subList(0, args.size() - 1)) {
                    if (!existsInContext(source)) {
                        problems.add(i.keyword() + " " + source + ": not in the repository");
                    } else if (!source.equals(".") && ignore.excludes(source)) {
                        problems.add(i.keyword() + " " + source + ": excluded by .dockerignore");
                    }
                }
            }
            assertThat(problems).isEmpty();
            assertThat(stages).contains("build", "cli", "flink");
            String text = Files.readString(DOCKER.resolve(name));
            assertThat(text).contains("FROM maven:3.9-eclipse-temurin-17 AS build")
                    .contains("-pl cli -am package dependency:copy-dependencies -DincludeScope=runtime")
                    .contains("ARG FLINK_IMAGE=flink:2.2.1-java17")
                    .contains(ORT_PARENT_FIRST).contains(PROMETHEUS_REPORTER);
            if (name.endsWith(".cuda")) {
                assertThat(text).contains("ARG CUDA_IMAGE=nvidia/cuda:12.9.1-cudnn-runtime-ubuntu22.04")
                        .contains("mvn -B -Pgpu").contains("onnxruntime_gpu-");
                assertThat(Files.readString(ROOT.resolve("pom.xml"))).contains("<id>gpu</id>");
            } else {
                assertThat(text).doesNotContain("-Pgpu").contains("FROM eclipse-temurin:17-jre AS cli");
            }
        }));
    }

    /** The images' riffle command gives the JVM the same module opens as the ./riffle launcher. */
    @Test
    void imageEntrypointOpensWhatTheLauncherOpens() throws IOException {
        Pattern opens = Pattern.compile("--add-(?:opens|exports)=\\S+");
        assertThat(matches(opens, Files.readString(DOCKER.resolve("riffle-entrypoint.sh"))))
                .isEqualTo(matches(opens, Files.readString(ROOT.resolve("riffle"))));
        assertThat(Files.isExecutable(DOCKER.resolve("riffle-entrypoint.sh"))).isTrue();
    }

    // ---- (g) riffle commands against the real command tree ------------------------------------------

    @TestFactory
    Stream<DynamicTest> riffleCommandsParse() throws IOException {
        List<RiffleCommand> commands = new ArrayList<>();
        for (var s : composeServices().entrySet()) {
            if (String.valueOf(s.getValue().get("image")).startsWith("riffle/cli")) {
                commands.add(new RiffleCommand("compose " + s.getKey(), command(s.getValue())));
            }
        }
        commands.addAll(k8sRiffleCommands(cpuManifests()));
        assertThat(commands.stream().map(c -> c.args().get(0))).contains("submit", "trainer", "dashboard");
        return commands.stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            CommandLine cli = Riffle.commandLine();
            try {
                cli.parseArgs(c.args().toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError(c + " does not parse: " + e.getMessage(), e);
            }
        }));
    }

    /** The pipeline file a compose command names is the repository's (mounted read-only at /pipelines). */
    @Test
    void composeCommandsNameMountedPipelineFiles() throws IOException {
        for (var s : composeServices().entrySet()) {
            List<String> cmd = command(s.getValue());
            for (String config : optionValues(cmd, "--config")) {
                assertThat(config).startsWith("/pipelines/");
                assertThat(list(s.getValue().get("volumes")).stream().map(String::valueOf).toList()).as(s.getKey()).contains("../pipelines:/pipelines:ro");
                assertThat(ROOT.resolve(config.substring(1))).as(s.getKey() + " --config").isRegularFile();
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    /** A riffle command line that a compose service or a Kubernetes container runs. */
    record RiffleCommand(String where, List<String> args) {
        List<String> addresses() {
            List<String> found = new ArrayList<>();
            for (String option : List.of("--jobmanager", "--bootstrap-servers", "--metrics-url", "--flink-rest")) {
                found.addAll(optionValues(args, option));
            }
            return found;
        }

        @Override
        public String toString() {
            return where + ": riffle " + String.join(" ", args);
        }
    }

    private static List<RiffleCommand> k8sRiffleCommands(KubernetesManifests set) throws IOException {
        List<RiffleCommand> commands = new ArrayList<>();
        for (Pod pod : set.pods()) {
            for (Container c : pod.spec().getContainers()) {
                if (c.getImage() != null && c.getImage().startsWith("riffle/cli")) {
                    commands.add(new RiffleCommand("k8s " + pod.owner(), c.getArgs()));
                }
            }
        }
        return commands;
    }

    private static KubernetesManifests cpuManifests() throws IOException {
        return KubernetesManifests.read(KubernetesManifests.yamlFiles(K8S));
    }

    /** The GPU variant: docker/k8s/gpu/ in place of the files of the same name in docker/k8s/. */
    private static KubernetesManifests gpuManifests() throws IOException {
        List<Path> gpu = KubernetesManifests.yamlFiles(K8S.resolve("gpu"));
        Set<String> replaced = gpu.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        List<Path> files = new ArrayList<>(KubernetesManifests.yamlFiles(K8S).stream()
                .filter(p -> !replaced.contains(p.getFileName().toString())).toList());
        files.addAll(gpu);
        return KubernetesManifests.read(files);
    }

    private static Schema crdSchema() throws IOException {
        JsonNode crd;
        try (InputStream in = DeploymentFilesTest.class.getResourceAsStream("/deploy/flinkdeployment-v1beta1.schema.json")) {
            crd = JSON.readTree(Objects.requireNonNull(in, "deploy/flinkdeployment-v1beta1.schema.json"));
        }
        // OpenAPI v3.0 schema objects are JSON Schema draft 4/5 with extensions (x-kubernetes-*, nullable).
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(KubernetesManifests.strict(crd));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> composeServices() throws IOException {
        // SnakeYAML resolves anchors and merge keys (<<: *riffle-cli) as Docker Compose does.
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Reader in = Files.newBufferedReader(DOCKER.resolve("compose.yaml"))) {
            Map<String, Object> compose = yaml.load(in);
            return (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    private static List<String> command(Map<String, Object> service) {
        Object command = service.get("command");
        if (command instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return command == null ? List.of() : List.of(String.valueOf(command).trim().split("\\s+"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        Object env = service.get("environment");
        return env instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> build(Map<String, Object> service) {
        Object build = service.get("build");
        return build instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    static List<String> optionValues(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) && i + 1 < args.size()) {
                values.add(args.get(i + 1));
            } else if (args.get(i).startsWith(option + "=")) {
                values.add(args.get(i).substring(option.length() + 1));
            }
        }
        return values;
    }

    private static Set<String> knownMetrics() throws IOException {
        return Files.readAllLines(DOCKER.resolve("metrics.txt")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String datasourceUid() throws IOException {
        return KubernetesManifests.YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0).path("uid").asText();
    }

    private static void collectPanels(JsonNode panels, List<JsonNode> into) {
        for (JsonNode panel : panels) {
            if (panel.path("type").asText().equals("row")) {
                collectPanels(panel.path("panels"), into);
            } else {
                into.add(panel);
            }
        }
    }

    private static boolean existsInContext(String source) throws IOException {
        if (!source.contains("*") && !source.contains("?")) {
            return Files.exists(ROOT.resolve(source));
        }
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source);
        try (Stream<Path> files = Files.walk(ROOT, 3)) {
            return files.anyMatch(f -> glob.matches(ROOT.relativize(f)));
        }
    }

    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    private static <T> T single(List<T> items) {
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The folder with docker/compose.yaml: the module's parent when Maven runs the tests. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docker/compose.yaml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no docker/compose.yaml in " + dir + " or its parents");
    }
}

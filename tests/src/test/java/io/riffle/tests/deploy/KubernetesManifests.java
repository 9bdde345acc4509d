package io.riffle.tests.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A set of Kubernetes manifests (every document of some YAML files) read into fabric8's typed
 * models; the operator's {@code FlinkDeployment}, which fabric8 has no model for, stays a JSON
 * tree (its schema check is the CRD's). Also the pods each workload makes, with their labels, so
 * that Services can be matched against them.
 */
final class KubernetesManifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, Class<? extends HasMetadata>> TYPED = Map.of(
            "ConfigMap", ConfigMap.class, "Service", Service.class, "Deployment", Deployment.class, "Job", Job.class);

    /** One document of a manifest file. */
    record Manifest(Path file, JsonNode tree, HasMetadata typed) {
        String kind() {
            return tree.path("kind").asText();
        }

        String name() {
            return tree.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + file.getFileName() + ")";
        }
    }

    /** A pod a workload creates: who makes it, its labels, its spec (containers, volumes). */
    record Pod(String owner, Map<String, String> labels, PodSpec spec) {}

    private final List<Manifest> manifests;

    private KubernetesManifests(List<Manifest> manifests) {
        this.manifests = manifests;
    }

    static KubernetesManifests read(List<Path> files) throws IOException {
        List<Manifest> all = new ArrayList<>();
        for (Path file : files) {
            try (var parser = YAML.getFactory().createParser(file.toFile())) {
                for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
                    if (doc == null || doc.isNull() || doc.isEmpty()) {
                        continue;
                    }
                    Class<? extends HasMetadata> type = TYPED.get(doc.path("kind").asText());
                    all.add(new Manifest(file, doc, type == null ? null : YAML.treeToValue(doc, type)));
                }
            }
        }
        return new KubernetesManifests(all);
    }

    /** The .yaml files directly in {@code dir}, sorted. */
    static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    List<Manifest> all() {
        return manifests;
    }

    List<Manifest> ofKind(String kind) {
        return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    <T extends HasMetadata> List<T> typed(Class<T> type) {
        return manifests.stream().map(Manifest::typed).filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * Every pod template: Deployments' and Jobs', and the JobManager and TaskManager pods of each
     * FlinkDeployment, which the operator labels {@code app: <name>}, {@code component:
     * jobmanager|taskmanager} and {@code type: flink-native-kubernetes}, from the merged pod
     * templates (spec.podTemplate, then the component's own).
     */
    List<Pod> pods() throws IOException {
        List<Pod> pods = new ArrayList<>();
        for (Deployment d : typed(Deployment.class)) {
            pods.add(pod("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        }
        for (Job j : typed(Job.class)) {
            pods.add(pod("Job/" + j.getMetadata().getName(), j.getSpec().getTemplate()));
        }
        for (Manifest f : ofKind("FlinkDeployment")) {
            PodTemplateSpec common = podTemplate(f.tree().path("spec").path("podTemplate"));
            for (String component : List.of("jobmanager", "taskmanager")) {
                String key = component.equals("jobmanager") ? "jobManager" : "taskManager";
                PodTemplateSpec own = podTemplate(f.tree().path("spec").path(key).path("podTemplate"));
                Map<String, String> labels = new LinkedHashMap<>();
                labels.putAll(labelsOf(common));
                labels.putAll(labelsOf(own));
                labels.put("app", f.name());
                labels.put("component", component);
                labels.put("type", "flink-native-kubernetes");
                PodSpec spec = new PodSpec();
                spec.setContainers(new ArrayList<>());
                spec.setVolumes(new ArrayList<>());
                for (PodTemplateSpec t : List.of(common, own)) {
                    if (t.getSpec() != null) {
                        spec.getContainers().addAll(t.getSpec().getContainers());
                        spec.getVolumes().addAll(t.getSpec().getVolumes());
                    }
                }
                pods.add(new Pod("FlinkDeployment/" + f.name() + " " + component, labels, spec));
            }
        }
        return pods;
    }

    static PodTemplateSpec podTemplate(JsonNode node) throws IOException {
        return node.isMissingNode() ? new PodTemplateSpec() : YAML.treeToValue(node, PodTemplateSpec.class);
    }

    private static Pod pod(String owner, PodTemplateSpec template) {
        return new Pod(owner, labelsOf(template), template.getSpec());
    }

    private static Map<String, String> labelsOf(PodTemplateSpec t) {
        return t.getMetadata() == null || t.getMetadata().getLabels() == null ? Map.of() : t.getMetadata().getLabels();
    }

    /**
     * Fields that fabric8 kept in an {@code additionalProperties} map because its model has no
     * such field: a misspelt key, which the API server would drop or refuse.
     */
    static List<String> unknownFields(Object model) {
        List<String> found = new ArrayList<>();
        unknownFields(model, "", found);
        return found;
    }

    private static void unknownFields(Object o, String path, List<String> found) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, found));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;   // a computed property (e.g. a Quantity's amount) that does not apply
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            if (field.equals("additionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add((path.isEmpty() ? "" : path + ": ") + "unknown field(s) " + extra.keySet());
                }
            } else if (!(value instanceof String) && !(value instanceof Number) && !(value instanceof Boolean)) {
                unknownFields(value, path + "." + field, found);
            }
        }
    }

    /**
     * A CRD's openAPIV3Schema as the API server applies it with strict field validation
     * ({@code kubectl apply --validate=strict}, the default since Kubernetes 1.27): an object whose
     * schema lists its properties and does not preserve unknown fields accepts no others.
     */
    static JsonNode strict(JsonNode openApiV3Schema) {
        ObjectNode root = openApiV3Schema.deepCopy();
        ObjectNode properties = (ObjectNode) root.path("properties");
        // Every object has these; CRDs leave them out of their schema.
        for (String field : List.of("apiVersion", "kind", "metadata")) {
            if (!properties.has(field)) {
                properties.putObject(field).put("type", field.equals("metadata") ? "object" : "string");
            }
        }
        closeObjects(root);
        return root;
    }

    private static void closeObjects(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            if (o.has("properties") && o.path("properties").isObject() && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.elements().forEachRemaining(KubernetesManifests::closeObjects);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(KubernetesManifests::closeObjects);
        }
    }
}

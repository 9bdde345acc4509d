/**
 * Checks of the deployment files under {@code docker/} that need no Docker engine and no cluster:
 * the compose file as Docker Compose reads it, the Kubernetes manifests as typed models and
 * against the Flink Kubernetes Operator's CRD schema, the Grafana and Prometheus files, the
 * Dockerfiles' build inputs, and the riffle commands they run against the real command tree.
 */
package io.riffle.tests.deploy;

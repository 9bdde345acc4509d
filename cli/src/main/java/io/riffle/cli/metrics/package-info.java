/**
 * Where a local run's metrics are scraped: a loopback-only variant of Flink's Prometheus reporter
 * for the MiniCluster, and the choice of the metrics ports (the Flink jobs' and the trainers').
 */
package io.riffle.cli.metrics;

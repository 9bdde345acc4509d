/**
 * The {@code riffle} command line: the root command, running a pipeline file locally
 * ({@code run}, {@code score}: a Flink MiniCluster in this JVM) or on a Flink session cluster
 * ({@code submit}: the job jars found by {@link io.riffle.cli.JobJars} are shipped over REST), and
 * the shared plumbing (topics, local cluster, stop signal).
 */
package io.riffle.cli;

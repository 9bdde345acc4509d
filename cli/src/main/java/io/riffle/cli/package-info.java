/**
 * The {@code riffle} command line: the root command, running a pipeline file locally
 * ({@code run}, {@code score}: a Flink MiniCluster in this JVM) or on a Flink session cluster
 * ({@code submit}: the job jars found by {@link io.riffle.cli.JobJars} are shipped over REST), a
 * trainer for one model ({@code trainer}), the benchmark ({@code bench}, loaded only when the
 * bench module is on the class path), and the shared plumbing (option mixins, topics, local
 * cluster, stop signal). Every picocli command of Riffle lives in this module.
 */
package io.riffle.cli;

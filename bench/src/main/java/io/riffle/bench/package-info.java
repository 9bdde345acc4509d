/**
 * The benchmark suite behind {@code riffle bench} (the command is cli's {@code BenchCommand}; the
 * launcher puts this module on the class path for that command only). One run on an embedded KRaft broker and a Flink
 * MiniCluster measures a decode/re-encode passthrough (the stack's ceiling), a naive
 * per-record scorer and the real {@link io.riffle.jobs.PipelineScoringJob} (the demo's pipeline file) on the same pre-produced
 * events, checks that every variant outputs every record exactly once, and measures latency at
 * a fixed offered load and model swap latency; {@link io.riffle.bench.ScorerBenchmark} is the
 * JMH microbenchmark of the batching scorer against ONNX Runtime called directly.
 */
package io.riffle.bench;

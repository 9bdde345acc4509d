/**
 * Riffle's Flink jobs: each job class takes its options, wires its graph in {@code build()}
 * and leaves the work to the operators in {@code operators}.
 */
package io.riffle.jobs;

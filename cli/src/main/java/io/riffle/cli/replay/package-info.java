/**
 * {@code riffle replay}'s parts apart from the command: the history it replays (events and labels
 * files, {@link io.riffle.cli.replay.History}), the paced producer, what came out of the pipeline
 * matched to each event ({@link io.riffle.cli.replay.EventOutcomes}, read by {@link io.riffle.cli.replay.ReplayOutcomes}), the prequential metrics,
 * and the report as JSON and as a plot.
 */
package io.riffle.cli.replay;

/**
 * Synthetic drifting streams from the concept-drift literature (SEA, Agrawal, rotating hyperplane),
 * implemented from their published definitions, seeded and deterministic, and
 * {@code riffle generate}, which writes one as an events file and a labels file for
 * {@code riffle replay}.
 */
package io.riffle.cli.streams;

/**
 * {@code riffle demo}: synthetic card payments with fraud patterns, bootstrap models fitted to
 * them, the traffic producer, the read_committed monitor, and the command that runs it all.
 */
package io.riffle.cli.demo;

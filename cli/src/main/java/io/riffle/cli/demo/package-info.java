/**
 * {@code riffle demo}: the pipeline file it runs ({@code pipelines/demo.yaml}), synthetic card
 * payments with fraud patterns, bootstrap models fitted to the file's features of them, the
 * traffic producer, the read_committed monitor, and the command that runs it all.
 */
package io.riffle.cli.demo;

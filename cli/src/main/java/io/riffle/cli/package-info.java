/** The {@code riffle} command line: the root command, the embedded runtime and shared CLI plumbing. */
package io.riffle.cli;

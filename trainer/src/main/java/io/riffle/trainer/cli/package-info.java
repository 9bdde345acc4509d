/** {@code riffle trainer}: runs a trainer for one model until stopped. */
package io.riffle.trainer.cli;

package io.riffle.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of the {@code riffle} command line in this JVM, as the launcher would run it, with what it printed. */
record RiffleInvocation(int code, String out, String err) {

    /** Runs {@code riffle args...}, capturing stdout and stderr (and still echoing them to the test log). */
    static synchronized RiffleInvocation run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(new Tee(out, oldOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, oldErr), true, StandardCharsets.UTF_8));
        try {
            oldOut.println("$ riffle " + String.join(" ", args));
            int code = Riffle.commandLine().execute(args);
            return new RiffleInvocation(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Writes to a capture and to the original stream. */
    private static final class Tee extends OutputStream {
        private final OutputStream capture;
        private final OutputStream echo;

        Tee(OutputStream capture, OutputStream echo) {
            this.capture = capture;
            this.echo = echo;
        }

        @Override
        public void write(int b) throws IOException {
            capture.write(b);
            echo.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            capture.write(b, off, len);
            echo.write(b, off, len);
        }
    }
}

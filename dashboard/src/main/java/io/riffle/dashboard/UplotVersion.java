package io.riffle.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of the uPlot WebJar this jar was built with (from the root pom, filtered into a resource). */
final class UplotVersion {
    static final String VERSION = read();

    private UplotVersion() {}

    private static String read() {
        try (InputStream in = UplotVersion.class.getResourceAsStream("versions.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("uplot");
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("riffle-dashboard jar lacks versions.properties", e));
        }
    }
}

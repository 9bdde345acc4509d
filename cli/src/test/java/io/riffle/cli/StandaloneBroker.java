package io.riffle.cli;

import io.riffle.embedded.EmbeddedKafka;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker in a JVM of its own, for {@link BrokerProcess} (tests that stop and restart it):
 * {@code --port P --controller-port C --log-dir DIR}. Prints {@code READY host:port} once it
 * serves; stops cleanly on SIGTERM. A test class: no main method ships outside the CLI.
 */
final class StandaloneBroker {
    private StandaloneBroker() {}

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        EmbeddedKafka kafka = EmbeddedKafka.startPersistent(Integer.parseInt(a.get("--port")),
                Integer.parseInt(a.get("--controller-port")), Path.of(a.get("--log-dir")));
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "embedded-kafka-stop"));
        System.out.println("READY " + kafka.bootstrapServers());
        Thread.currentThread().join();
    }
}

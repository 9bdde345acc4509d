package io.riffle.embedded;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (one process role set {@code broker,controller},
 * no ZooKeeper), started in this JVM on 127.0.0.1 with a temporary log directory.
 *
 * <p>Broker settings worth knowing:
 * <ul>
 *   <li>Internal topics (consumer offsets, transaction state, share-group state) have replication
 *       factor 1 and min ISR 1, so transactions and consumer groups work on one node.</li>
 *   <li>{@code transaction.max.timeout.ms} is Kafka's default, 15 minutes. Flink's exactly-once
 *       {@code KafkaSink} defaults its producers' {@code transaction.timeout.ms} to one hour, which
 *       the broker rejects in InitProducerId: jobs writing here must set a smaller timeout
 *       (e.g. 2 minutes).</li>
 *   <li>{@code message.max.bytes} is 64 MiB because a model version record carries its ONNX
 *       bytes. Producers and consumers of such topics must raise their own {@code max.request.size}
 *       / fetch sizes to match.</li>
 *   <li>{@code auto.create.topics.enable=false}: topics exist only through
 *       {@link #createTopic(String, int, Map)}, so a mistyped topic name fails loudly.</li>
 *   <li>{@code group.initial.rebalance.delay.ms=0}, so a consumer group starts consuming at once.</li>
 * </ul>
 *
 * <p>The broker logs through SLF4J only; the module using it decides the levels (keep
 * {@code kafka} and {@code org.apache.kafka} at WARN, they are chatty at INFO).
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaRaftServer server;
    /** The log directory to delete on close, or null when it belongs to the caller ({@link #startPersistent}). */
    private final Path logDir;
    private final int port;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, Path logDir, int port) {
        this.server = server;
        this.logDir = logDir;
        this.port = port;
    }

    /** Starts a broker on a free port with a fresh temporary log directory. */
    public static EmbeddedKafka start() {
        return start(0);
    }

    /**
     * Starts a broker whose PLAINTEXT listener is on {@code port} (0 picks a free one), with a fresh
     * temporary log directory. Returns once the broker is registered, unfenced and serving.
     */
    public static EmbeddedKafka start(int port) {
        return start(port, Map.of());
    }

    /**
     * As {@link #start(int)}, with broker properties set over the defaults (e.g. a short
     * {@code log.retention.check.interval.ms} for a test that must see retention run).
     */
    public static EmbeddedKafka start(int port, Map<String, String> brokerOverrides) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        Path logDir;
        try {
            logDir = Files.createTempDirectory("riffle-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's log directory", e);
        }
        return start(port == 0 ? freePort() : port, freePort(), logDir, true, brokerOverrides);
    }

    /**
     * A broker whose log directory is {@code logDir} and stays there when it stops: started again
     * with the same directory and ports it has every topic, record and transaction it had (a broker
     * restart, e.g. in a fault test). The directory is formatted on first use.
     */
    public static EmbeddedKafka startPersistent(int port, int controllerPort, Path logDir) {
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's log directory " + logDir, e);
        }
        return start(port, controllerPort, logDir, false, Map.of());
    }

    private static EmbeddedKafka start(int brokerPort, int controllerPort, Path logDir, boolean ownsLogDir,
                                       Map<String, String> brokerOverrides) {
        KafkaRaftServer server = null;
        try {
            Properties props = brokerProperties(brokerPort, controllerPort, logDir);
            props.putAll(brokerOverrides);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                // a persistent directory is formatted once: its cluster id is the broker's identity
                format(logDir);
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            long startNs = System.nanoTime();
            server.startup();
            LOG.info("Embedded Kafka started on {}:{} in {} ms (log dir {})", HOST, brokerPort,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs), logDir);
            return new EmbeddedKafka(server, ownsLogDir ? logDir : null, brokerPort);
        } catch (RuntimeException | Error e) {
            stopQuietly(server);
            if (ownsLogDir) {
                deleteQuietly(logDir);
            }
            throw e;
        } catch (Exception e) {
            stopQuietly(server);
            if (ownsLogDir) {
                deleteQuietly(logDir);
            }
            throw new IllegalStateException("cannot start the embedded Kafka broker on port " + brokerPort, e);
        }
    }

    /** {@code 127.0.0.1:PORT} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /**
     * Creates a topic with replication factor 1 and the given topic configs (e.g.
     * {@code cleanup.policy=compact}). An existing topic of that name is accepted as it is.
     * Returns once every partition has a leader.
     */
    public synchronized void createTopic(String name, int partitions, Map<String, String> config) {
        ensureOpen();
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(config == null ? Map.of() : config);
        try {
            try {
                admin().createTopics(List.of(topic)).all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name, e.getCause());
                }
            }
            awaitLeaders(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " not created within " + TOPIC_READY_TIMEOUT, e);
        }
    }

    /** Shuts the broker down, waits for it to stop and deletes its log directory (unless persistent). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        stopQuietly(server);
        if (logDir != null) {
            deleteQuietly(logDir);
        }
    }

    private void awaitLeaders(String name) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                TopicDescription description = admin().describeTopics(List.of(name)).allTopicNames()
                        .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
                if (description.partitions().stream().map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && leader.id() == NODE_ID)) {
                    return;
                }
            } catch (ExecutionException e) {
                // The new topic may not be in the broker's metadata cache yet.
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topic " + name, e.getCause());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + name + " have no leader");
            }
            Thread.sleep(20);
        }
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "riffle-embedded-kafka-admin"));
        }
        return admin;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker is closed");
        }
    }

    private static Properties brokerProperties(int brokerPort, int controllerPort, Path logDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());

        // One node: every internal topic has a single replica. Few partitions keep start-up and
        // the first group join / InitProducerId quick.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // transaction.max.timeout.ms stays at Kafka's default (15 min): see the class comment.

        // Model versions carry their ONNX bytes.
        p.put("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));

        // Test-sized storage: 64 MiB segments, a day of retention, and a small dedupe buffer
        // for the log cleaner (the default reserves 128 MiB of heap) so compaction still runs.
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("log.retention.hours", "24");
        p.put("log.retention.check.interval.ms", String.valueOf(60_000));
        p.put("log.cleaner.enable", "true");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.backoff.ms", "1000");

        // Two cores are shared with Flink and the clients.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        // Faster registration and unfencing at start-up.
        p.put("broker.heartbeat.interval.ms", "200");
        p.put("broker.session.timeout.ms", "9000");
        p.put("controlled.shutdown.enable", "true");
        return p;
    }

    private static void format(Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .setIgnoreFormatted(true)
                .run();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka did not shut down cleanly", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(new File(dir.toString()));
        } catch (IOException e) {
            LOG.warn("Cannot delete the embedded Kafka log directory {}", dir, e);
        }
    }
}

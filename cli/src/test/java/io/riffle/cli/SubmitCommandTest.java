package io.riffle.cli;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code riffle submit} says before it reaches a cluster (the submission itself: {@link SubmitCommandITCase}). */
class SubmitCommandTest {
    private static final String PIPELINE = "../pipelines/generic-30.yaml";

    @Test
    void jobmanagerIsHostAndRestPort() {
        RemoteFlink cluster = RemoteFlink.parse("flink-jm:8081");
        assertThat(cluster.host()).isEqualTo("flink-jm");
        assertThat(cluster.port()).isEqualTo(8081);
        assertThat(cluster.url()).isEqualTo("http://flink-jm:8081");
        assertThat(RemoteFlink.parse("[::1]:8081").url()).isEqualTo("http://[::1]:8081");
        for (String bad : new String[] {"flink-jm", ":8081", "flink-jm:http", "flink-jm:0", "http://flink-jm:8081"}) {
            assertThatThrownBy(() -> RemoteFlink.parse(bad)).hasMessageContaining("HOST:PORT").hasMessageContaining("8081");
        }
    }

    @Test
    void aMissingOrMalformedJobmanagerIsAUsageError() {
        RiffleInvocation missing = RiffleInvocation.run("submit", "--config", PIPELINE);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--jobmanager HOST:PORT").contains("--trainers-only");

        RiffleInvocation malformed = RiffleInvocation.run("submit", "--config", PIPELINE,
                "--jobmanager", "localhost");
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).contains("got 'localhost'");
    }

    @Test
    void anInvalidPipelineFileIsReportedAsRunReportsIt() {
        RiffleInvocation out = RiffleInvocation.run("submit", "--config", "no-such-pipeline.yaml",
                "--jobmanager", "localhost:8081");
        assertThat(out.code()).isEqualTo(1);
        assertThat(out.err()).startsWith("Not submitted: 1 problem(s) in no-such-pipeline.yaml:");
    }

    @Test
    void nobodyListeningSaysWhatToCheck() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RiffleInvocation out = RiffleInvocation.run("submit", "--config", PIPELINE,
                "--jobmanager", "127.0.0.1:" + port, "--bootstrap-servers", "127.0.0.1:1");
        assertThat(out.code()).isEqualTo(1);
        assertThat(out.err()).contains("Not submitted: no Flink cluster answered at http://127.0.0.1:" + port)
                .contains("rest.port").contains("8081");
    }

    @Test
    void helpDescribesEveryOption() {
        RiffleInvocation help = RiffleInvocation.run("submit", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--jobmanager=HOST:PORT", "--bootstrap-servers", "--parallelism", "--savepoint",
                "--allow-non-restored-state", "--provided", "--with-trainers", "--trainers-only", "shipped");
    }
}

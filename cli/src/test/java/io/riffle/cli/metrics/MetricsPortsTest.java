package io.riffle.cli.metrics;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsPortsTest {

    @Test
    void aFreePortIsKeptATakenOneReplaced() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(MetricsPorts.choose(port)).isNotEqualTo(port).isPositive();
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        assertThat(MetricsPorts.choose(free)).isEqualTo(free);
        assertThat(MetricsPorts.choose(0)).isPositive();
        assertThatThrownBy(() -> MetricsPorts.choose(70_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTrainersPortIsTheNextOneAndNeverTheFlinkJobsOne() throws Exception {
        int flink;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            flink = s.getLocalPort();
        }
        int next = MetricsPorts.chooseNext(flink, flink);
        assertThat(next).isNotEqualTo(flink).isPositive();
        assertThat(MetricsPorts.chooseNext(0, flink)).isNotEqualTo(flink).isPositive();
    }

    @Test
    void theStartLineNamesBothEndpoints() {
        assertThat(MetricsPorts.line(MetricsPorts.url(9249), MetricsPorts.url(9250))).isEqualTo(
                "Metrics (Prometheus): http://127.0.0.1:9249/metrics (Flink jobs), "
                        + "http://127.0.0.1:9250/metrics (trainers)");
        assertThat(MetricsPorts.line(MetricsPorts.url(9249), null))
                .isEqualTo("Metrics (Prometheus): http://127.0.0.1:9249/metrics (Flink jobs)");
    }
}

package io.riffle.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsScrapeTest {

    private static final String TEXT = """
            # HELP flink_taskmanager_Status_JVM_CPU_Time CPU_Time (scope: taskmanager_Status_JVM_CPU)
            # TYPE flink_taskmanager_Status_JVM_CPU_Time gauge
            flink_taskmanager_Status_JVM_CPU_Time{host="a",tm_id="tm-1",} 2.5E9
            flink_taskmanager_Status_JVM_CPU_Time{host="b",tm_id="tm-2",} 1.5E9
            flink_jobmanager_job_numRestarts{job_id="x",job_name="riffle-scoring",} 2.0
            flink_jobmanager_job_numRestarts{job_id="y",job_name="riffle-label-join",} 0.0
            flink_taskmanager_job_task_operator_model_version_role_riffleScored{model="fraud",version="3",role="CHAMPION",label_with_brace="a} b",} 17.0
            riffle_trainer_rounds_total{model="fraud",outcome="promoted"} 4 1712345678000
            weird_line_without_value
            not_a_number{a="b"} abc
            """;

    @Test
    void readsSamplesWithLabelsAndTimestamps() {
        MetricsScrape s = MetricsScrape.parse(TEXT, List.of());
        assertThat(s.cpuSeconds()).isEqualTo(4.0);
        assertThat(s.max(MetricsScrape.FLINK_RESTARTS)).isEqualTo(2.0);
        assertThat(s.sum("flink_taskmanager_job_task_operator_model_version_role_riffleScored")).isEqualTo(17.0);
        assertThat(s.sum("riffle_trainer_rounds_total")).isEqualTo(4.0);
        assertThat(s.has("weird_line_without_value")).isFalse();
        assertThat(s.sum("not_a_number")).isZero();
    }

    @Test
    void fallsBackToProcessCpuAndSaysWhenThereIsNone() {
        assertThat(MetricsScrape.parse("process_cpu_seconds_total 12.5\n", List.of()).cpuSeconds()).isEqualTo(12.5);
        assertThat(MetricsScrape.parse("", List.of("http://x did not answer")).cpuSeconds()).isNaN();
        assertThat(MetricsScrape.parse("", List.of("http://x did not answer")).problems()).containsExactly("http://x did not answer");
    }
}

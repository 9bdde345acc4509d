package io.riffle.trainer.metrics;

import io.riffle.trainer.eval.Evaluation;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TrainerMetricsTest {

    @Test
    void servesItsMetricsOnLoopbackOverHttp() throws Exception {
        try (TrainerMetrics metrics = TrainerMetrics.serve("127.0.0.1", 0)) {
            assertThat(metrics.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(metrics.address().getPort()).isPositive();
            metrics.round("fraud", "PROMOTED", 1500);
            metrics.round("fraud", "DISCARDED", 200);
            metrics.round("fraud", "PROMOTED", 800);
            metrics.windowExamples("fraud", 4321);
            metrics.holdout("fraud", 3, new Evaluation(1000, 0.1, 0.93, 0.61, 0.21, 0.4, 0.5));
            metrics.holdoutRecallAtK("shop", 2, 0.37);
            metrics.driftDetected("fraud");

            String body = scrape(metrics.url());
            assertThat(body)
                    .contains("riffle_trainer_rounds_total{model=\"fraud\",outcome=\"promoted\"} 2.0")
                    .contains("riffle_trainer_rounds_total{model=\"fraud\",outcome=\"discarded\"} 1.0")
                    .contains("riffle_trainer_fit_seconds_count{model=\"fraud\"} 3")
                    .contains("riffle_trainer_window_examples{model=\"fraud\"} 4321.0")
                    .contains("riffle_trainer_holdout_roc_auc{model=\"fraud\",version=\"3\"} 0.93")
                    .contains("riffle_trainer_holdout_pr_auc{model=\"fraud\",version=\"3\"} 0.61")
                    .contains("riffle_trainer_holdout_log_loss{model=\"fraud\",version=\"3\"} 0.21")
                    .contains("riffle_trainer_holdout_recall_at_k{model=\"shop\",version=\"2\"} 0.37")
                    .contains("riffle_trainer_drift_detections_total{model=\"fraud\"} 1.0");
        }
    }

    @Test
    void twoInOneJvmDoNotShareARegistry() {
        try (TrainerMetrics a = TrainerMetrics.unserved(); TrainerMetrics b = TrainerMetrics.unserved()) {
            a.round("m", "SKIPPED", 0);
            assertThat(a.registry()).isNotSameAs(b.registry());
            assertThat(a.address()).isNull();
            assertThat(b.registry().scrape().stream()
                    .filter(s -> s.getMetadata().getName().equals("riffle_trainer_rounds"))
                    .flatMap(s -> s.getDataPoints().stream())).isEmpty();
        }
    }

    private static String scrape(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

package io.riffle.tests.dashboard;

import io.riffle.cli.Riffle;
import io.riffle.embedded.EmbeddedKafka;
import io.riffle.modelops.registry.ModelRegistry;
import io.riffle.modelops.spec.KafkaSpec;
import io.riffle.schemas.ModelVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live dashboard in a real browser: {@code riffle demo} runs against a broker this test
 * starts, headless Chromium opens the page the demo serves, and the test checks that the
 * numbers move, that a model version published meanwhile appears on the timeline, and that a
 * corrupt one shows as rejected with its reason. A screenshot is left at
 * {@code target/dashboard.png}.
 */
class DashboardBrowserITCase {
    private static final KafkaSpec.TopicNames TOPICS = KafkaSpec.TopicNames.defaults();

    @Test
    void thePageShowsTheDemoLive(@TempDir Path dir) throws Exception {
        int port = freePort();
        URI page = URI.create("http://127.0.0.1:" + port + "/");
        AtomicInteger exit = new AtomicInteger(-1);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Thread demo = new Thread(() -> exit.set(Riffle.commandLine().execute("demo",
                    "--bootstrap-servers", kafka.bootstrapServers(), "--dashboard-port", String.valueOf(port),
                    "--web-ui-port", "0", "--metrics-port", "0", "--duration", "5m", "--events-per-second", "200", "--status-interval", "10s")),
                    "riffle-demo-under-test");
            demo.start();
            try {
                await("the demo's dashboard answers").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> answers(page.resolve("/api/snapshot")) && demo.isAlive());
                ChromeDriver browser = Chromium.start(dir.resolve("profile"));
                try {
                    browser.get(page.toString());
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(2), Duration.ofMillis(500));
                    // The page replaces its tables every second: an element found a moment ago may be gone.
                    wait.ignoring(StaleElementReferenceException.class);
                    wait.until(b -> "live".equals(b.findElement(By.id("connection")).getAttribute("data-state")));

                    // the numbers move
                    wait.until(b -> number(b, "scores-total") > 0);
                    long scores = number(browser, "scores-total");
                    long events = number(browser, "events-total");
                    wait.until(b -> number(b, "scores-total") > scores && number(b, "events-total") > events);
                    wait.until(b -> !b.findElement(By.id("p99")).getText().equals("—"));
                    assertThat(browser.findElement(By.id("health")).getAttribute("data-status")).isIn("ok", "idle", "warn");
                    // live scores against the training scores the version was published with
                    wait.until(b -> b.findElements(By.cssSelector("#histograms .histogram")).stream()
                            .anyMatch(h -> !h.getAttribute("data-psi").isEmpty()));
                    wait.until(b -> !b.findElement(By.id("cost")).getText().equals("—"));
                    wait.until(b -> !b.findElements(By.cssSelector("#segments tbody tr[data-segment]")).isEmpty());

                    // a version published now appears on the timeline, loaded by the scorer
                    ModelVersion current = newest("fraud", kafka.bootstrapServers());
                    int good;
                    int bad;
                    try (ModelRegistry registry = new ModelRegistry(kafka.bootstrapServers(), TOPICS.models())) {
                        // Numbered well clear of the demo's own trainers, which number from the same topic.
                        good = registry.nextVersion("fraud", Duration.ofSeconds(30)) + 100;
                        registry.publish(ModelVersion.newBuilder(current).setVersion(good)
                                .setParentVersion(current.getVersion()).setCreatedAt(System.currentTimeMillis()).build());
                        wait.until(b -> !timelineRows(b, "fraud", good, "LOADED").isEmpty());

                        // a corrupt one shows as rejected, with its reason
                        byte[] garbage = new byte[4096];
                        new Random(7).nextBytes(garbage);
                        bad = good + 100;
                        registry.publish(ModelVersion.newBuilder(current).setVersion(bad).setOnnx(ByteBuffer.wrap(garbage))
                                .setSha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(garbage)))
                                .setCreatedAt(System.currentTimeMillis()).build());
                    }
                    String reason = wait.until(b -> {
                        List<WebElement> rows = timelineRows(b, "fraud", bad, "REJECTED");
                        return rows.isEmpty() ? null : rows.get(0).findElement(By.cssSelector("td.reason")).getText();
                    });
                    assertThat(reason).as("the rejection's reason on the page").isNotBlank().isNotEqualTo("—");
                    wait.until(b -> b.findElement(By.cssSelector("#versions tr[data-model='fraud'][data-version='" + bad + "']"))
                            .getText().contains("REJECTED"));
                    wait.until(b -> number(b, "scores-total") > scores);   // still scoring after the rejection

                    Path shot = Path.of("target", "dashboard.png");
                    Files.createDirectories(shot.getParent());
                    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
                    assertThat(Files.size(shot)).isGreaterThan(10_000);
                } finally {
                    browser.quit();
                }
            } finally {
                demo.interrupt();   // as Ctrl-C: the demo drains, reconciles and stops
                demo.join(Duration.ofMinutes(2).toMillis());
            }
            assertThat(demo.isAlive()).as("the demo stopped").isFalse();
        }
    }

    private static List<WebElement> timelineRows(WebDriver b, String model, int version, String kind) {
        return b.findElements(By.cssSelector("#timeline tbody tr[data-model='" + model + "'][data-version='" + version
                + "'][data-kind='" + kind + "']"));
    }

    private static long number(WebDriver b, String id) {
        String text = b.findElement(By.id(id)).getText().replace(",", "").trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ModelVersion newest(String name, String servers) {
        try (ModelRegistry registry = new ModelRegistry(servers, TOPICS.models())) {
            return registry.list(Duration.ofSeconds(30)).stream().filter(v -> v.getName().equals(name))
                    .max(Comparator.comparingInt(ModelVersion::getVersion)).orElseThrow();
        }
    }

    private static boolean answers(URI uri) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

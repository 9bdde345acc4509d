package io.riffle.modelops.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.validation.Digests;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SessionCacheTest {

    private static final byte[] MODEL = TestModels.mlp(1L, OutputActivation.SIGMOID, 8, 4, 1);
    private static final String SHA = Digests.sha256Hex(MODEL);

    @Test
    void sameModelSharesOneSessionUntilTheLastHandleCloses() throws Exception {
        SessionCache cache = new SessionCache();
        ModelSession a = cache.acquire(SHA, MODEL, EngineOptions.defaults());
        ModelSession b = cache.acquire(SHA.toUpperCase(), MODEL, EngineOptions.defaults());
        assertThat(cache.openSessions()).isEqualTo(1);
        assertThat(cache.references(SHA)).isEqualTo(2);
        assertThat(a.session()).isSameAs(b.session());
        assertThat(a.device()).isEqualTo("cpu");
        assertThat(a.inputInfo()).containsOnlyKeys("features");
        assertThat(a.outputInfo()).containsOnlyKeys("score");

        a.close();
        a.close(); // idempotent per handle: must not release b's reference
        assertThat(cache.references(SHA)).isEqualTo(1);
        assertThat(cache.openSessions()).isEqualTo(1);
        b.close();
        assertThat(cache.openSessions()).isZero();
        assertThat(cache.references(SHA)).isZero();
        assertThatThrownBy(a::session).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void differentModelsGetDifferentSessions() throws Exception {
        SessionCache cache = new SessionCache();
        byte[] other = TestModels.mlp(2L, OutputActivation.SIGMOID, 8, 4, 1);
        try (ModelSession a = cache.acquire(SHA, MODEL, EngineOptions.defaults());
                ModelSession b = cache.acquire(Digests.sha256Hex(other), other, EngineOptions.defaults())) {
            assertThat(cache.openSessions()).isEqualTo(2);
            assertThat(a.session()).isNotSameAs(b.session());
        }
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void concurrentAcquiresShareOneSession() throws Exception {
        SessionCache cache = new SessionCache();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ModelSession>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> cache.acquire(SHA, MODEL, EngineOptions.defaults())));
            }
            List<ModelSession> handles = new ArrayList<>();
            for (Future<ModelSession> f : futures) {
                handles.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(cache.openSessions()).isEqualTo(1);
            assertThat(cache.references(SHA)).isEqualTo(16);
            handles.forEach(ModelSession::close);
            assertThat(cache.openSessions()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void autoFallsBackToCpuWhenCudaIsUnavailable() throws Exception {
        SessionCache cache = new SessionCache();
        EngineOptions auto = EngineOptions.defaults().withDevice(DeviceRequest.auto());
        try (ModelSession s = cache.acquire(SHA, MODEL, auto);
                ModelSession again = cache.acquire(SHA, MODEL, auto)) {
            assertThat(s.device()).isEqualTo("cpu");
            assertThat(again.device()).isEqualTo("cpu");
        }
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void explicitCudaFailsWithAHelpfulMessage() {
        SessionCache cache = new SessionCache();
        EngineOptions cuda = EngineOptions.defaults().withDevice(DeviceRequest.cuda(0));
        assertThatThrownBy(() -> cache.acquire(SHA, MODEL, cuda))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("CUDA provider is unavailable")
                .hasMessageContaining("gpu Maven profile")
                .hasMessageContaining("device cpu or auto");
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void corruptBytesAreAModelLoadException() {
        SessionCache cache = new SessionCache();
        byte[] junk = "definitely not onnx".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> cache.acquire(Digests.sha256Hex(junk), junk, EngineOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("ONNX Runtime could not load the model");
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void sharedIsOneInstance() {
        assertThat(SessionCache.shared()).isSameAs(SessionCache.shared());
        assertThat(OrtEngine.environment()).isSameAs(OrtEngine.environment());
    }
}

package io.riffle.modelops.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.modelops.onnx.OutputActivation;
import io.riffle.modelops.testing.TestModels;
import io.riffle.modelops.validation.Digests;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the session cache asks of the CUDA provider, checked without a GPU: the options it passes
 * (the CUDA provider's own option object needs the provider's library to exist), and that the
 * CUDA path still fails cleanly, or falls back, on a host without it.
 */
class CudaProviderOptionsTest {

    private static final byte[] MODEL = TestModels.mlp(1L, OutputActivation.SIGMOID, 8, 4, 1);
    private static final String SHA = Digests.sha256Hex(MODEL);

    @Test
    void tf32IsOffUnlessEnabled() {
        EngineOptions cuda = EngineOptions.defaults().withDevice(DeviceRequest.cuda(1));
        assertThat(cuda.tf32()).isFalse();
        assertThat(SessionCache.cudaProviderOptions(cuda))
                .containsExactly(Map.entry("device_id", "1"), Map.entry("use_tf32", "0"));
        assertThat(SessionCache.cudaProviderOptions(cuda.withTf32(true)))
                .containsExactly(Map.entry("device_id", "1"), Map.entry("use_tf32", "1"));
    }

    @Test
    void theThreeArgumentConstructorAndWithDeviceKeepTheirMeaning() {
        assertThat(new EngineOptions(DeviceRequest.cpu(), 2, 1).tf32()).isFalse();
        assertThat(new EngineOptions(DeviceRequest.cpu(), 2, 1, true).withDevice(DeviceRequest.cuda(0)).tf32()).isTrue();
        assertThat(EngineOptions.defaults().withTf32(true)).isNotEqualTo(EngineOptions.defaults());
    }

    @Test
    void aCpuSessionIsSharedWhateverTheTf32Setting() throws Exception {
        SessionCache cache = new SessionCache();
        try (ModelSession plain = cache.acquire(SHA, MODEL, EngineOptions.defaults());
                ModelSession tf32 = cache.acquire(SHA, MODEL, EngineOptions.defaults().withTf32(true))) {
            assertThat(cache.openSessions()).isEqualTo(1);
            assertThat(tf32.session()).isSameAs(plain.session());
        }
        assertThat(cache.openSessions()).isZero();
    }

    @Test
    void withoutTheCudaProviderCudaStillFailsHelpfullyAndAutoFallsBack() throws Exception {
        SessionCache cache = new SessionCache();
        for (boolean tf32 : new boolean[] {false, true}) {
            EngineOptions cuda = EngineOptions.defaults().withDevice(DeviceRequest.cuda(0)).withTf32(tf32);
            assertThatThrownBy(() -> cache.acquire(SHA, MODEL, cuda))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("CUDA provider is unavailable for cuda:0");
            EngineOptions auto = EngineOptions.defaults().withDevice(DeviceRequest.auto()).withTf32(tf32);
            try (ModelSession s = cache.acquire(SHA, MODEL, auto)) {
                assertThat(s.device()).isEqualTo("cpu");
            }
        }
        assertThat(cache.openSessions()).isZero();
    }
}

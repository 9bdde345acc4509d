package io.riffle.modelops.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceRequestTest {

    @Test
    void parsesEveryAllowedForm() {
        assertThat(DeviceRequest.parse("cpu")).isEqualTo(DeviceRequest.cpu());
        assertThat(DeviceRequest.parse(" CPU ")).isEqualTo(DeviceRequest.cpu());
        assertThat(DeviceRequest.parse("cuda")).isEqualTo(new DeviceRequest(DeviceRequest.Kind.CUDA, 0));
        assertThat(DeviceRequest.parse("CUDA:3")).isEqualTo(new DeviceRequest(DeviceRequest.Kind.CUDA, 3));
        assertThat(DeviceRequest.parse("Auto")).isEqualTo(DeviceRequest.auto());
    }

    @Test
    void toStringIsCanonicalAndParsesBack() {
        assertThat(DeviceRequest.parse("cuda").toString()).isEqualTo("cuda:0");
        assertThat(DeviceRequest.parse("CPU").toString()).isEqualTo("cpu");
        assertThat(DeviceRequest.parse("AUTO").toString()).isEqualTo("auto");
        for (String s : new String[] {"cpu", "cuda:1", "auto", "auto:2"}) {
            assertThat(DeviceRequest.parse(s).toString()).isEqualTo(s);
        }
    }

    @Test
    void rejectsOtherValuesNamingThemAndTheAllowedOnes() {
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", "", "rocm:0", "auto:"}) {
            assertThatThrownBy(() -> DeviceRequest.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("cpu, cuda, cuda:N")
                    .hasMessageContaining("auto");
        }
        assertThatThrownBy(() -> DeviceRequest.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void engineOptionsDefaults() {
        EngineOptions d = EngineOptions.defaults();
        assertThat(d.device()).isEqualTo(DeviceRequest.cpu());
        assertThat(d.intraOpThreads()).isEqualTo(1);
        assertThat(d.interOpThreads()).isEqualTo(1);
        assertThatThrownBy(() -> new EngineOptions(DeviceRequest.cpu(), -1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

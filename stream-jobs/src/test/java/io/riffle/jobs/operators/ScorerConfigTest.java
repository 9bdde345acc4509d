package io.riffle.jobs.operators;

import io.riffle.modelops.decision.DecisionPolicy;
import io.riffle.modelops.engine.DeviceRequest;
import io.riffle.modelops.engine.EngineOptions;
import io.riffle.modelops.validation.ModelLoader;
import io.riffle.modelops.validation.ModelPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Device-aware batching: a CUDA device gets its own (larger) batches; the CPU keeps its own. */
class ScorerConfigTest {

    private static ScorerConfig config(DeviceRequest device, ScorerConfig.BatchLimits cuda) {
        return new ScorerConfig(256, 20, 1000, List.of(), new EngineOptions(device, 1, 1, false), 4, null, "t",
                DecisionPolicy.DEFAULT_ON_FAILURE, ModelPolicy.defaults(), ModelLoader.DEFAULT_MAX_MODEL_BYTES, Map.of(), cuda);
    }

    @Test
    void theServingDeviceChoosesTheLimits() {
        ScorerConfig c = config(DeviceRequest.auto(), new ScorerConfig.BatchLimits(2048, 30));
        assertThat(c.limitsOn("cpu")).isEqualTo(new ScorerConfig.BatchLimits(256, 20));
        assertThat(c.limitsOn("cuda:0")).isEqualTo(new ScorerConfig.BatchLimits(2048, 30));
        assertThat(c.limitsOn("none")).as("no model yet").isEqualTo(c.cpu());
        assertThat(c.batchCapacity()).as("auto may end up on either").isEqualTo(2048);
    }

    @Test
    void onTheCpuForSureNoRoomIsKeptForCudaBatches() {
        assertThat(config(DeviceRequest.cpu(), new ScorerConfig.BatchLimits(2048, 30)).batchCapacity()).isEqualTo(256);
        assertThat(config(DeviceRequest.cuda(0), null).limitsOn("cuda:0")).as("no CUDA limits: the CPU's")
                .isEqualTo(new ScorerConfig.BatchLimits(256, 20));
        assertThat(config(DeviceRequest.cuda(0), new ScorerConfig.BatchLimits(64, 5)).batchCapacity())
                .as("a smaller CUDA batch still fits the CPU's").isEqualTo(256);
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThatThrownBy(() -> new ScorerConfig.BatchLimits(0, 5)).hasMessageContaining("at least 1");
    }
}

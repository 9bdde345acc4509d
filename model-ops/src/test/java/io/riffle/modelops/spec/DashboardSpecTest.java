package io.riffle.modelops.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code dashboard:} section: a segment field of the schema, a PSI threshold, defaults without it. */
class DashboardSpecTest {

    @TempDir
    Path dir;

    private static final String REST = SpecFixtures.MINIMAL;

    @Test
    void theSectionIsRead() throws Exception {
        PipelineSpec spec = SpecFixtures.load(dir, REST + "dashboard: {segment-by: country, psi-threshold: 0.1}\n");
        assertThat(spec.dashboard()).isEqualTo(new DashboardSpec("country", 0.1));
    }

    @Test
    void withoutItThePageHasNoSegmentsAndTheUsualThreshold() throws Exception {
        assertThat(SpecFixtures.load(dir, REST).dashboard()).isEqualTo(DashboardSpec.defaults());
        assertThat(DashboardSpec.defaults().psiThreshold()).isEqualTo(0.2);
    }

    @Test
    void aSegmentFieldNotInTheSchemaOrAnUnknownKeyIsAnErrorNamingIt() throws Exception {
        Path file = SpecFixtures.write(dir, REST + "dashboard: {segment-by: planet, psi: 3}\n");
        PipelineSpecException e = catchThrowableOfType(PipelineSpecException.class, () -> PipelineSpec.load(file));
        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(SpecError::path).contains("dashboard.segment-by");
        assertThat(e.getMessage()).contains("planet").contains("psi");
    }
}

package io.riffle.cli.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Which fraud an incident is, and how often one starts. */
class FraudMixTest {

    @Test
    void beforeTheDriftNoIncidentIsATakeover() {
        FraudMix mix = new FraudMix();
        assertThat(mix.incident(0.0)).isEqualTo(FraudPattern.CARD_TESTING);
        assertThat(mix.incident(0.999_999_999)).isNotEqualTo(FraudPattern.ACCOUNT_TAKEOVER);
        mix.setNewFraudShare(1.0);
        assertThat(mix.incident(0.0)).isEqualTo(FraudPattern.ACCOUNT_TAKEOVER);
        assertThat(mix.incident(0.999)).isEqualTo(FraudPattern.ACCOUNT_TAKEOVER);
    }

    @Test
    void aSinglePatternTakesEveryIncident() {
        FraudMix mix = new FraudMix();
        mix.setPatternMix(0, 1, 0);
        for (double u = 0; u < 1; u += 0.05) {
            assertThat(mix.incident(u)).isEqualTo(FraudPattern.AMOUNT_SPIKE);
        }
    }

    @Test
    void incidentsOfOneEventStartAsOftenAsTheFraudRate() {
        FraudMix mix = new FraudMix();
        mix.setPatternMix(0, 1, 1);
        mix.setFraudRate(0.04);
        assertThat(mix.incidentProbability()).isCloseTo(0.04, within(1e-12));
        mix.setFraudRate(0);
        assertThat(mix.incidentProbability()).isZero();
    }

    @Test
    void sharesOutsideTheirRangeAreRefused() {
        FraudMix mix = new FraudMix();
        assertThatThrownBy(() -> mix.setFraudRate(0.6)).hasMessageContaining("[0, 0.5]");
        assertThatThrownBy(() -> mix.setNewFraudShare(Double.NaN)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> mix.setPatternMix(0, 0, 0)).hasMessageContaining("at least one");
        assertThat(mix.fraudRate()).isEqualTo(TransactionGenerator.DEFAULT_FRAUD_RATE);
    }
}

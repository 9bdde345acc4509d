package io.riffle.cli.demo;

/**
 * How much of {@link TransactionGenerator}'s stream is fraud and of which kind: the fraud rate,
 * the shares of the three original patterns, the share of the new one after the drift, and from
 * them the chance that a call starts an incident and which pattern it is. Arithmetic only: the
 * generator draws the random numbers.
 */
final class FraudMix {
    private double fraudRate = TransactionGenerator.DEFAULT_FRAUD_RATE;
    /** Share of fraud events per pattern: card testing, amount spike, unusual country. */
    private final double[] patternMix = {0.4, 0.3, 0.3};
    /** Share of fraud events that are {@link FraudPattern#ACCOUNT_TAKEOVER}; 0 until the drift. */
    private double newFraudShare;
    /** Probability that an event not taken by a pending burst starts a fraud incident. */
    private double incidentProbability;
    /** Cumulative incident shares: card testing, amount spike, unusual country, account takeover. */
    private final double[] incidentCumulative = new double[4];

    FraudMix() {
        recompute();
    }

    /** Fraction of events that are fraud, in [0, 0.5]. */
    void setFraudRate(double fraudRate) {
        if (!(fraudRate >= 0 && fraudRate <= 0.5)) {
            throw new IllegalArgumentException("fraud rate must be in [0, 0.5], got " + fraudRate);
        }
        this.fraudRate = fraudRate;
        recompute();
    }

    double fraudRate() {
        return fraudRate;
    }

    /** Relative shares of fraud events per pattern (normalised; at least one positive). */
    void setPatternMix(double cardTesting, double amountSpike, double unusualCountry) {
        double[] mix = {cardTesting, amountSpike, unusualCountry};
        double sum = 0;
        for (double m : mix) {
            if (!(m >= 0) || Double.isInfinite(m)) {
                throw new IllegalArgumentException("pattern shares must be finite and >= 0");
            }
            sum += m;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("at least one pattern share must be positive");
        }
        for (int i = 0; i < 3; i++) {
            patternMix[i] = mix[i] / sum;
        }
        recompute();
    }

    /** Share of fraud events that are {@link FraudPattern#ACCOUNT_TAKEOVER}, in [0, 1]. */
    void setNewFraudShare(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("new fraud share must be in [0, 1], got " + share);
        }
        this.newFraudShare = share;
        recompute();
    }

    double newFraudShare() {
        return newFraudShare;
    }

    /** Probability that a call not taken by a pending burst starts a fraud incident. */
    double incidentProbability() {
        return incidentProbability;
    }

    /**
     * The pattern of an incident for a uniform draw {@code u} in [0, 1): the cumulative shares of
     * card testing, amount spike, unusual country and account takeover, in that order.
     */
    FraudPattern incident(double u) {
        if (u < incidentCumulative[0]) {
            return FraudPattern.CARD_TESTING;
        } else if (u < incidentCumulative[1]) {
            return FraudPattern.AMOUNT_SPIKE;
        } else if (u < incidentCumulative[2]) {
            return FraudPattern.UNUSUAL_COUNTRY;
        }
        return FraudPattern.ACCOUNT_TAKEOVER;
    }

    /**
     * Chooses the incident probability so that fraud events make up {@link #fraudRate()} of all
     * events: a burst of mean size 10 takes 9 later calls, a takeover spree of mean size 3 two,
     * the other patterns one event each. Patterns with no share get no slice of the incidents, so
     * before the drift the draws are exactly those of a generator without the new pattern.
     */
    private void recompute() {
        double[] eventsPerIncident = {10, 1, 1, (TransactionGenerator.TAKEOVER_MIN_PAYMENTS + TransactionGenerator.TAKEOVER_MAX_PAYMENTS) / 2.0};
        double[] mix = new double[4];
        for (int i = 0; i < 3; i++) {
            mix[i] = newFraudShare == 0 ? patternMix[i] : patternMix[i] * (1 - newFraudShare);
        }
        mix[3] = newFraudShare;
        double[] incidentShare = new double[4];
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            incidentShare[i] = mix[i] / eventsPerIncident[i];
            sum += incidentShare[i];
        }
        double meanEvents = 0;
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < 4; i++) {
            incidentShare[i] /= sum;
            meanEvents += incidentShare[i] * eventsPerIncident[i];
            cumulative += incidentShare[i];
            incidentCumulative[i] = cumulative;
            if (mix[i] > 0) {
                last = i;
            }
        }
        // Rounding must not leave a sliver for a pattern without a share.
        for (int i = last; i < 4; i++) {
            incidentCumulative[i] = 1.0;
        }
        // Over N calls, F = N_fresh * p * E fraud events and N = N_fresh * (1 + p * (E - 1)).
        incidentProbability = fraudRate / (meanEvents - fraudRate * (meanEvents - 1));
    }
}

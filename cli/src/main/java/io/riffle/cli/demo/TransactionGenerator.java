package io.riffle.cli.demo;

import io.riffle.cli.demo.CardPopulation.Card;
import io.riffle.cli.demo.CardPopulation.Country;
import io.riffle.schemas.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic card payments with injected fraud, deterministic for a seed and a sequence of
 * {@link #next(long)} times. Not thread-safe.
 *
 * <p>Each card has a profile drawn once from the seed: a home country (its currency), one to
 * three countries it occasionally travels to, a typical spend (log-normal amounts around tens of
 * dollars), usual merchant categories, a channel mix (POS / ONLINE / ATM) and an activity level
 * (some cards pay far more often than others). Amounts are drawn in US dollars and converted into
 * the merchant country's currency at a fixed rate.
 *
 * <p>Fraud is injected at {@link #setFraudRate(double) a rate} of events (default 1.5%) split
 * among the patterns by {@link #setPatternMix(double, double, double) a mix}:
 * <ul>
 *   <li>{@link FraudPattern#CARD_TESTING}: 5-15 online payments of 0.50-3.00 on one card at
 *       different merchants, one every 1-2 s; the burst's later events are emitted by later
 *       calls once their due time has come, so event times never go backwards;</li>
 *   <li>{@link FraudPattern#AMOUNT_SPIKE}: one payment of 10-50 times the card's typical spend,
 *       mostly electronics or jewelry;</li>
 *   <li>{@link FraudPattern#UNUSUAL_COUNTRY}: one payment in a country none of the cards live in
 *       or travel to, in its currency.</li>
 * </ul>
 *
 * <p><b>Drift.</b> {@link #introduceNewFraud()} (the demo calls it halfway through its run) makes
 * {@link #DEFAULT_NEW_FRAUD_SHARE half} of the fraud events from then on
 * {@link FraudPattern#ACCOUNT_TAKEOVER}: a fraudster who has taken over the card holder's online
 * banking enrols the card in a mobile wallet on their own phone ({@link #MOBILE} channel, which no
 * genuine payment uses) and spends with it: 2-4 payments, 10-40 s apart, of ordinary amounts (1-3
 * times the card's typical spend) in the home country, at {@link #TAKEOVER_CATEGORIES merchants
 * whose goods resell or that pay out}. Nothing the demo's bootstrap classifier learned fires on it (the
 * amounts, gaps and country are normal, and it never saw a mobile-wallet payment), but the
 * features of {@code pipelines/demo.yaml} do carry it: {@code channel_MOBILE} is set by no genuine
 * payment, so a model retrained on labels that include the new kind separates it from genuine
 * payments almost perfectly. Before the call the generator draws exactly the same stream as one
 * that never drifts.
 */
public final class TransactionGenerator {

    /** Fraction of events that are fraud unless {@link #setFraudRate(double)} says otherwise. */
    public static final double DEFAULT_FRAUD_RATE = 0.015;

    public static final String POS = "POS";
    public static final String ONLINE = "ONLINE";
    public static final String ATM = "ATM";
    /** Mobile-wallet payments: only {@link FraudPattern#ACCOUNT_TAKEOVER} uses this channel. */
    public static final String MOBILE = "MOBILE";

    /** Share of fraud events that {@link #introduceNewFraud()} gives the new pattern. */
    public static final double DEFAULT_NEW_FRAUD_SHARE = 0.5;

    /** Where an account-takeover fraudster spends with the enrolled wallet: goods that resell and gambling sites that pay out. */
    public static final List<String> TAKEOVER_CATEGORIES = List.of("retail", "apparel", "gambling", "luxury_goods");

    /** Countries no card lives in or travels to: where {@link FraudPattern#UNUSUAL_COUNTRY} happens. */
    private static final Country[] RARE_COUNTRIES = {
        new Country("BR", "BRL", 5.0, 1),
        new Country("RO", "RON", 4.6, 1),
        new Country("MY", "MYR", 4.5, 1),
        new Country("AE", "AED", 3.67, 1),
        new Country("PE", "PEN", 3.7, 1),
        new Country("GE", "GEL", 2.7, 1),
        new Country("BY", "BYN", 3.3, 1),
    };

    private static final String[] SPIKE_CATEGORIES = {"electronics", "jewelry"};
    private static final String[] CARD_TESTING_CATEGORIES = {"digital_services", "gift_cards", "entertainment"};
    private static final String[] FOREIGN_FRAUD_CATEGORIES = {"electronics", "retail", "travel", "jewelry"};

    /** Payments per account-takeover spree, and the gap between them. */
    static final int TAKEOVER_MIN_PAYMENTS = 2;
    static final int TAKEOVER_MAX_PAYMENTS = 4;
    static final long TAKEOVER_MIN_GAP_MS = 10_000;
    static final long TAKEOVER_MAX_GAP_MS = 40_000;

    /** The remaining events of a card-testing burst or an account-takeover spree. */
    private static final class Burst {
        final Card card;
        final FraudPattern pattern;
        final int merchantBase;
        int emitted;
        int remaining;
        long dueMs;

        Burst(Card card, FraudPattern pattern, int merchantBase, int remaining, long dueMs) {
            this.card = card;
            this.pattern = pattern;
            this.merchantBase = merchantBase;
            this.remaining = remaining;
            this.dueMs = dueMs;
        }
    }

    private final SplittableRandom random;
    private final String idPrefix;
    private final CardPopulation cards;
    private final FraudMix mix = new FraudMix();
    private final List<Burst> bursts = new ArrayList<>();
    private long counter;

    public TransactionGenerator(long seed, int cards) {
        if (cards < 1) {
            throw new IllegalArgumentException("cards must be positive, got " + cards);
        }
        this.random = new SplittableRandom(seed);
        this.idPrefix = "tx-" + Long.toHexString(seed) + "-";
        this.cards = new CardPopulation(random, cards);
    }

    /** Fraction of events that are fraud, in [0, 0.5]. */
    public void setFraudRate(double fraudRate) {
        mix.setFraudRate(fraudRate);
    }

    public double fraudRate() {
        return mix.fraudRate();
    }

    /**
     * Relative shares of fraud events per pattern (normalised; at least one positive). E.g.
     * {@code (1, 0, 0)} makes every fraud a card-testing burst, to show a model missing a shift.
     */
    public void setPatternMix(double cardTesting, double amountSpike, double unusualCountry) {
        mix.setPatternMix(cardTesting, amountSpike, unusualCountry);
    }

    /**
     * The drift: from the next call on, {@link #DEFAULT_NEW_FRAUD_SHARE} of the fraud events are
     * {@link FraudPattern#ACCOUNT_TAKEOVER} (the other patterns keep their relative shares; the
     * fraud rate is unchanged). Idempotent.
     */
    public void introduceNewFraud() {
        setNewFraudShare(DEFAULT_NEW_FRAUD_SHARE);
    }

    /**
     * Share of fraud events that are {@link FraudPattern#ACCOUNT_TAKEOVER}, in [0, 1]; 0 (the
     * default) is the stream before the drift, 1 makes every fraud a takeover.
     */
    public void setNewFraudShare(double share) {
        mix.setNewFraudShare(share);
    }

    public double newFraudShare() {
        return mix.newFraudShare();
    }

    /** Whether {@link #introduceNewFraud()} (or a positive {@link #setNewFraudShare}) has happened. */
    public boolean newFraudIntroduced() {
        return mix.newFraudShare() > 0;
    }

    /**
     * The next payment at {@code eventTimeMs}. Callers pass non-decreasing times; a pending
     * card-testing event whose due time has come is emitted before any new payment.
     */
    public GeneratedEvent next(long eventTimeMs) {
        Burst due = dueBurst(eventTimeMs);
        if (due != null) {
            return due.pattern == FraudPattern.ACCOUNT_TAKEOVER ? takeover(due, eventTimeMs) : cardTesting(due, eventTimeMs);
        }
        if (random.nextDouble() < mix.incidentProbability()) {
            FraudPattern incident = mix.incident(random.nextDouble());
            Card card = cards.pickCard();
            if (incident == FraudPattern.CARD_TESTING) {
                // One burst per card at a time, so each burst stays 5-15 events long.
                for (int tries = 0; tries < 8 && hasBurst(card); tries++) {
                    card = cards.pickCard();
                }
                int size = 5 + random.nextInt(11);
                Burst burst = new Burst(card, FraudPattern.CARD_TESTING, random.nextInt(CardPopulation.MERCHANTS_PER_COUNTRY), size,
                        eventTimeMs);
                bursts.add(burst);
                return cardTesting(burst, eventTimeMs);
            } else if (incident == FraudPattern.AMOUNT_SPIKE) {
                return amountSpike(card, eventTimeMs);
            } else if (incident == FraudPattern.UNUSUAL_COUNTRY) {
                return unusualCountry(card, eventTimeMs);
            } else {
                // One spree per card at a time, and a quiet spell after it, so sprees stay apart.
                for (int tries = 0; tries < 8 && (hasBurst(card) || eventTimeMs < card.takeoverQuietUntilMs); tries++) {
                    card = cards.pickCard();
                }
                int size = TAKEOVER_MIN_PAYMENTS + random.nextInt(TAKEOVER_MAX_PAYMENTS - TAKEOVER_MIN_PAYMENTS + 1);
                Burst spree = new Burst(card, FraudPattern.ACCOUNT_TAKEOVER, 0, size, eventTimeMs);
                bursts.add(spree);
                return takeover(spree, eventTimeMs);
            }
        }
        return genuine(cards.pickCard(), eventTimeMs);
    }

    /** The card's typical (median) amount in its home currency; for tests. */
    double typicalAmount(String cardId) {
        Card card = cards.byId(cardId);
        return Math.exp(card.logTypicalUsd) * card.home.unitsPerUsd();
    }

    /** The card's home country code; for tests. */
    String homeCountry(String cardId) {
        return cards.byId(cardId).home.code();
    }

    /** Whether {@code country} is one the card lives in or travels to; for tests. */
    boolean isUsualCountry(String cardId, String country) {
        Card card = cards.byId(cardId);
        if (card.home.code().equals(country)) {
            return true;
        }
        for (Country c : card.travel) {
            if (c.code().equals(country)) {
                return true;
            }
        }
        return false;
    }

    private GeneratedEvent genuine(Card card, long time) {
        Country country = card.home;
        if (random.nextDouble() < card.travelRate) {
            country = card.travel[random.nextInt(card.travel.length)];
        }
        double c = random.nextDouble();
        String channel = c < card.posShare ? POS : c < card.posShare + card.onlineShare ? ONLINE : ATM;
        if (channel.equals(ATM)) {
            // Withdrawals in 20-unit notes, around three times the typical payment.
            double local = Math.exp(card.logTypicalUsd + Math.log(3) + 0.4 * random.nextGaussian()) * country.unitsPerUsd();
            double amount = Math.max(20, 20 * Math.round(local / 20));
            return event(card, country, channel, "cash_withdrawal", merchant(card, country, "atm", true), amount, time,
                    FraudPattern.NONE);
        }
        int k = card.categories[cards.pick(card.categoryCumulative)];
        String category = CardPopulation.CATEGORIES[k];
        double usd = Math.exp(card.logTypicalUsd + card.logSigma * random.nextGaussian()) * CardPopulation.CATEGORY_SPEND[k];
        boolean local = country == card.home && random.nextDouble() < 0.7;
        return event(card, country, channel, category, merchant(card, country, category, local),
                Math.max(0.5, usd * country.unitsPerUsd()), time, FraudPattern.NONE);
    }

    private GeneratedEvent cardTesting(Burst burst, long time) {
        burst.remaining--;
        burst.dueMs = time + 1000 + random.nextInt(1001);
        if (burst.remaining <= 0) {
            bursts.remove(burst);
        }
        Card card = burst.card;
        String category = CARD_TESTING_CATEGORIES[random.nextInt(CARD_TESTING_CATEGORIES.length)];
        double amount = 0.5 + random.nextInt(251) / 100.0;
        // A prime stride coprime to the merchant count: every payment of a burst hits another merchant.
        int n = (burst.merchantBase + burst.emitted++ * 7_919) % CardPopulation.MERCHANTS_PER_COUNTRY;
        String merchant = "m-" + card.home.code() + "-web-" + n;
        return event(card, card.home, ONLINE, category, merchant, amount, time, FraudPattern.CARD_TESTING);
    }

    /**
     * One payment of an account-takeover spree: mobile wallet, home country, an easily resold
     * category, 1-3 times the card's typical spend; the next one 10-40 s later.
     */
    private GeneratedEvent takeover(Burst spree, long time) {
        spree.remaining--;
        spree.emitted++;
        spree.dueMs = time + TAKEOVER_MIN_GAP_MS + random.nextInt((int) (TAKEOVER_MAX_GAP_MS - TAKEOVER_MIN_GAP_MS) + 1);
        Card card = spree.card;
        if (spree.remaining <= 0) {
            bursts.remove(spree);
            card.takeoverQuietUntilMs = time + 2 * TAKEOVER_MAX_GAP_MS;
        }
        String category = TAKEOVER_CATEGORIES.get(random.nextInt(TAKEOVER_CATEGORIES.size()));
        double amount = Math.exp(card.logTypicalUsd) * (1 + 2 * random.nextDouble()) * card.home.unitsPerUsd();
        return event(card, card.home, MOBILE, category, merchant(card, card.home, category, false), amount, time,
                FraudPattern.ACCOUNT_TAKEOVER);
    }

    private GeneratedEvent amountSpike(Card card, long time) {
        String category = random.nextDouble() < 0.75
                ? SPIKE_CATEGORIES[random.nextInt(SPIKE_CATEGORIES.length)]
                : CardPopulation.CATEGORIES[card.categories[random.nextInt(card.categories.length)]];
        String channel = random.nextDouble() < 0.6 ? ONLINE : POS;
        double multiple = 10 + 40 * random.nextDouble();
        double amount = Math.exp(card.logTypicalUsd) * multiple * card.home.unitsPerUsd();
        return event(card, card.home, channel, category, merchant(card, card.home, category, false), amount, time,
                FraudPattern.AMOUNT_SPIKE);
    }

    private GeneratedEvent unusualCountry(Card card, long time) {
        Country country = RARE_COUNTRIES[random.nextInt(RARE_COUNTRIES.length)];
        double c = random.nextDouble();
        String channel = c < 0.4 ? ATM : c < 0.7 ? ONLINE : POS;
        String category = channel.equals(ATM) ? "cash_withdrawal"
                : FOREIGN_FRAUD_CATEGORIES[random.nextInt(FOREIGN_FRAUD_CATEGORIES.length)];
        double usd = Math.exp(card.logTypicalUsd) * (1 + 5 * random.nextDouble());
        return event(card, country, channel, category, merchant(card, country, category, false),
                usd * country.unitsPerUsd(), time, FraudPattern.UNUSUAL_COUNTRY);
    }

    private String merchant(Card card, Country country, String category, boolean local) {
        int n = local ? card.localMerchantBase + random.nextInt(16) : random.nextInt(CardPopulation.MERCHANTS_PER_COUNTRY);
        return "m-" + country.code() + "-" + category + "-" + n;
    }

    private GeneratedEvent event(Card card, Country country, String channel, String category, String merchant,
                                 double amount, long time, FraudPattern pattern) {
        double cents = Math.round(amount * 100) / 100.0;
        Transaction t = new Transaction(idPrefix + counter++, card.id, merchant, cents, country.currency(),
                country.code(), channel, category, time);
        return new GeneratedEvent(t, pattern);
    }

    private Burst dueBurst(long time) {
        Burst earliest = null;
        for (Burst b : bursts) {
            if (b.dueMs <= time && (earliest == null || b.dueMs < earliest.dueMs)) {
                earliest = b;
            }
        }
        return earliest;
    }

    private boolean hasBurst(Card card) {
        for (Burst b : bursts) {
            if (b.card == card) {
                return true;
            }
        }
        return false;
    }
}

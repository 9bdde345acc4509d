package io.riffle.cli.demo;

import io.riffle.schemas.Transaction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private record Country(String code, String currency, double unitsPerUsd, double weight) {}

    /** Where cards live and travel: currencies near the dollar keep amounts comparable. */
    private static final Country[] HOME_COUNTRIES = {
        new Country("US", "USD", 1.0, 36),
        new Country("GB", "GBP", 0.79, 12),
        new Country("DE", "EUR", 0.92, 10),
        new Country("FR", "EUR", 0.92, 8),
        new Country("CA", "CAD", 1.37, 7),
        new Country("ES", "EUR", 0.92, 5),
        new Country("IT", "EUR", 0.92, 5),
        new Country("NL", "EUR", 0.92, 4),
        new Country("AU", "AUD", 1.52, 4),
        new Country("IE", "EUR", 0.92, 3),
        new Country("CH", "CHF", 0.88, 3),
        new Country("NZ", "NZD", 1.65, 2),
        new Country("SG", "SGD", 1.34, 1),
    };

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

    /** Everyday categories and their spend relative to the card's typical amount. */
    private static final String[] CATEGORIES = {
        "grocery", "restaurant", "fuel", "retail", "transport", "entertainment",
        "pharmacy", "cafe", "travel", "digital_services", "utilities", "apparel",
    };
    private static final double[] CATEGORY_SPEND = {
        1.3, 1.0, 1.4, 1.2, 0.4, 0.8,
        0.7, 0.25, 3.0, 0.4, 2.0, 1.5,
    };
    private static final String[] SPIKE_CATEGORIES = {"electronics", "jewelry"};
    private static final String[] CARD_TESTING_CATEGORIES = {"digital_services", "gift_cards", "entertainment"};
    private static final String[] FOREIGN_FRAUD_CATEGORIES = {"electronics", "retail", "travel", "jewelry"};

    private static final int MERCHANTS_PER_COUNTRY = 20_000;

    /** Payments per account-takeover spree, and the gap between them. */
    static final int TAKEOVER_MIN_PAYMENTS = 2;
    static final int TAKEOVER_MAX_PAYMENTS = 4;
    static final long TAKEOVER_MIN_GAP_MS = 10_000;
    static final long TAKEOVER_MAX_GAP_MS = 40_000;

    private static final class Card {
        String id;
        Country home;
        Country[] travel;
        double travelRate;
        /** Log of the typical (median) amount in US dollars. */
        double logTypicalUsd;
        double logSigma;
        int[] categories;
        double[] categoryCumulative;
        double posShare;
        double onlineShare;
        int localMerchantBase;
        /** No new account-takeover spree on this card before this time (its last one just ended). */
        long takeoverQuietUntilMs = Long.MIN_VALUE;
    }

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
    private final Card[] cards;
    private final double[] activityCumulative;
    private final Map<String, Card> cardsById;
    private final List<Burst> bursts = new ArrayList<>();
    private long counter;

    private double fraudRate = DEFAULT_FRAUD_RATE;
    /** Share of fraud events per pattern: card testing, amount spike, unusual country. */
    private final double[] patternMix = {0.4, 0.3, 0.3};
    /** Share of fraud events that are {@link FraudPattern#ACCOUNT_TAKEOVER}; 0 until the drift. */
    private double newFraudShare;
    /** Probability that an event not taken by a pending burst starts a fraud incident. */
    private double incidentProbability;
    /** Cumulative incident shares: card testing, amount spike, unusual country, account takeover. */
    private final double[] incidentCumulative = new double[4];

    public TransactionGenerator(long seed, int cards) {
        if (cards < 1) {
            throw new IllegalArgumentException("cards must be positive, got " + cards);
        }
        this.random = new SplittableRandom(seed);
        this.idPrefix = "tx-" + Long.toHexString(seed) + "-";
        this.cards = new Card[cards];
        this.activityCumulative = new double[cards];
        this.cardsById = new HashMap<>(cards * 2);
        double[] homeCumulative = cumulative(HOME_COUNTRIES);
        double activity = 0;
        for (int i = 0; i < cards; i++) {
            Card card = newCard(i, homeCumulative);
            this.cards[i] = card;
            cardsById.put(card.id, card);
            activity += Math.exp(0.8 * random.nextGaussian());
            activityCumulative[i] = activity;
        }
        recomputeIncidents();
    }

    /** Fraction of events that are fraud, in [0, 0.5]. */
    public void setFraudRate(double fraudRate) {
        if (!(fraudRate >= 0 && fraudRate <= 0.5)) {
            throw new IllegalArgumentException("fraud rate must be in [0, 0.5], got " + fraudRate);
        }
        this.fraudRate = fraudRate;
        recomputeIncidents();
    }

    public double fraudRate() {
        return fraudRate;
    }

    /**
     * Relative shares of fraud events per pattern (normalised; at least one positive). E.g.
     * {@code (1, 0, 0)} makes every fraud a card-testing burst, to show a model missing a shift.
     */
    public void setPatternMix(double cardTesting, double amountSpike, double unusualCountry) {
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
        recomputeIncidents();
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
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("new fraud share must be in [0, 1], got " + share);
        }
        this.newFraudShare = share;
        recomputeIncidents();
    }

    public double newFraudShare() {
        return newFraudShare;
    }

    /** Whether {@link #introduceNewFraud()} (or a positive {@link #setNewFraudShare}) has happened. */
    public boolean newFraudIntroduced() {
        return newFraudShare > 0;
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
        if (random.nextDouble() < incidentProbability) {
            double u = random.nextDouble();
            Card card = pickCard();
            if (u < incidentCumulative[0]) {
                // One burst per card at a time, so each burst stays 5-15 events long.
                for (int tries = 0; tries < 8 && hasBurst(card); tries++) {
                    card = pickCard();
                }
                int size = 5 + random.nextInt(11);
                Burst burst = new Burst(card, FraudPattern.CARD_TESTING, random.nextInt(MERCHANTS_PER_COUNTRY), size,
                        eventTimeMs);
                bursts.add(burst);
                return cardTesting(burst, eventTimeMs);
            } else if (u < incidentCumulative[1]) {
                return amountSpike(card, eventTimeMs);
            } else if (u < incidentCumulative[2]) {
                return unusualCountry(card, eventTimeMs);
            } else {
                // One spree per card at a time, and a quiet spell after it, so sprees stay apart.
                for (int tries = 0; tries < 8 && (hasBurst(card) || eventTimeMs < card.takeoverQuietUntilMs); tries++) {
                    card = pickCard();
                }
                int size = TAKEOVER_MIN_PAYMENTS + random.nextInt(TAKEOVER_MAX_PAYMENTS - TAKEOVER_MIN_PAYMENTS + 1);
                Burst spree = new Burst(card, FraudPattern.ACCOUNT_TAKEOVER, 0, size, eventTimeMs);
                bursts.add(spree);
                return takeover(spree, eventTimeMs);
            }
        }
        return genuine(pickCard(), eventTimeMs);
    }

    /** The card's typical (median) amount in its home currency; for tests. */
    double typicalAmount(String cardId) {
        Card card = cardsById.get(cardId);
        if (card == null) {
            throw new IllegalArgumentException("unknown card " + cardId);
        }
        return Math.exp(card.logTypicalUsd) * card.home.unitsPerUsd();
    }

    /** The card's home country code; for tests. */
    String homeCountry(String cardId) {
        return cardsById.get(cardId).home.code();
    }

    /** Whether {@code country} is one the card lives in or travels to; for tests. */
    boolean isUsualCountry(String cardId, String country) {
        Card card = cardsById.get(cardId);
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

    private Card newCard(int index, double[] homeCumulative) {
        Card card = new Card();
        card.id = String.format("card-%06d", index);
        card.home = HOME_COUNTRIES[pick(homeCumulative)];
        int travelCount = 1 + random.nextInt(3);
        card.travel = new Country[travelCount];
        for (int i = 0; i < travelCount; i++) {
            Country c;
            do {
                c = HOME_COUNTRIES[pick(homeCumulative)];
            } while (c == card.home);
            card.travel[i] = c;
        }
        card.travelRate = 0.005 + 0.02 * random.nextDouble();
        card.logTypicalUsd = Math.log(25) + 0.5 * random.nextGaussian();
        card.logSigma = 0.45 + 0.25 * random.nextDouble();
        int categoryCount = 3 + random.nextInt(4);
        card.categories = new int[categoryCount];
        card.categoryCumulative = new double[categoryCount];
        double total = 0;
        for (int i = 0; i < categoryCount; i++) {
            card.categories[i] = random.nextInt(CATEGORIES.length);
            total += 0.2 + random.nextDouble();
            card.categoryCumulative[i] = total;
        }
        for (int i = 0; i < categoryCount; i++) {
            card.categoryCumulative[i] /= total;
        }
        card.posShare = 0.5 + 0.35 * random.nextDouble();
        card.onlineShare = (1 - card.posShare) * (0.7 + 0.25 * random.nextDouble());
        card.localMerchantBase = random.nextInt(MERCHANTS_PER_COUNTRY - 16);
        return card;
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
        int k = card.categories[pick(card.categoryCumulative)];
        String category = CATEGORIES[k];
        double usd = Math.exp(card.logTypicalUsd + card.logSigma * random.nextGaussian()) * CATEGORY_SPEND[k];
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
        int n = (burst.merchantBase + burst.emitted++ * 7_919) % MERCHANTS_PER_COUNTRY;
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
                : CATEGORIES[card.categories[random.nextInt(card.categories.length)]];
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
        int n = local ? card.localMerchantBase + random.nextInt(16) : random.nextInt(MERCHANTS_PER_COUNTRY);
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

    private Card pickCard() {
        double u = random.nextDouble() * activityCumulative[activityCumulative.length - 1];
        int i = java.util.Arrays.binarySearch(activityCumulative, u);
        return cards[Math.min(cards.length - 1, i >= 0 ? i : -i - 1)];
    }

    private int pick(double[] cumulative) {
        double u = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = java.util.Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
    }

    private static double[] cumulative(Country[] countries) {
        double[] c = new double[countries.length];
        double total = 0;
        for (int i = 0; i < countries.length; i++) {
            total += countries[i].weight();
            c[i] = total;
        }
        return c;
    }

    /**
     * Chooses the incident probability so that fraud events make up {@link #fraudRate} of all
     * events: a burst of mean size 10 takes 9 later calls, a takeover spree of mean size 3 two,
     * the other patterns one event each. Patterns with no share get no slice of the incidents, so
     * before the drift the draws are exactly those of a generator without the new pattern.
     */
    private void recomputeIncidents() {
        double[] eventsPerIncident = {10, 1, 1, (TAKEOVER_MIN_PAYMENTS + TAKEOVER_MAX_PAYMENTS) / 2.0};
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

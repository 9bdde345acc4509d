package io.riffle.cli.demo;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The cards of {@link TransactionGenerator}: each with a profile drawn once from the generator's
 * random stream (home country, travel countries, typical spend, usual categories, channel mix,
 * activity level), and the weighted draw of the card that pays next. The draws happen in the
 * order the generator always made them, so a seed gives the same cards as before.
 */
final class CardPopulation {

    record Country(String code, String currency, double unitsPerUsd, double weight) {}

    /** Where cards live and travel: currencies near the dollar keep amounts comparable. */
    static final Country[] HOME_COUNTRIES = {
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

    /** Everyday categories and their spend relative to the card's typical amount. */
    static final String[] CATEGORIES = {
        "grocery", "restaurant", "fuel", "retail", "transport", "entertainment",
        "pharmacy", "cafe", "travel", "digital_services", "utilities", "apparel",
    };
    static final double[] CATEGORY_SPEND = {
        1.3, 1.0, 1.4, 1.2, 0.4, 0.8,
        0.7, 0.25, 3.0, 0.4, 2.0, 1.5,
    };
    static final int MERCHANTS_PER_COUNTRY = 20_000;

    static final class Card {
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

    private final SplittableRandom random;
    private final Card[] cards;
    private final double[] activityCumulative;
    private final Map<String, Card> cardsById;

    CardPopulation(SplittableRandom random, int cards) {
        if (cards < 1) {
            throw new IllegalArgumentException("cards must be positive, got " + cards);
        }
        this.random = random;
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
    }

    /** The card of {@code id}; an unknown id is an error. */
    Card byId(String id) {
        Card card = cardsById.get(id);
        if (card == null) {
            throw new IllegalArgumentException("unknown card " + id);
        }
        return card;
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

    /** A card, more active cards more often. */
    Card pickCard() {
        double u = random.nextDouble() * activityCumulative[activityCumulative.length - 1];
        int i = Arrays.binarySearch(activityCumulative, u);
        return cards[Math.min(cards.length - 1, i >= 0 ? i : -i - 1)];
    }

    /** An index of {@code cumulative} (ascending weights) drawn in proportion to its weight. */
    int pick(double[] cumulative) {
        double u = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, u);
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
}

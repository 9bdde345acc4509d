package io.riffle.cli.demo.reco;

import java.util.SplittableRandom;

/**
 * The shoppers of {@link InteractionGenerator}, each drawn once from the generator's random
 * stream: two to four favourite categories (drawn by the catalogue's category popularity, so
 * popular categories are many shoppers' favourites) with weights, the first favourite weighing
 * most, and an activity level (some shoppers start far more sessions than others).
 */
final class ShopperPopulation {

    static final class Shopper {
        final int index;
        final String id;
        final int[] favourites;
        final double[] favouriteCumulative;
        boolean inSession;
        /** After a session, no new one before this event time: the gap between sessions. */
        long restUntilMs = Long.MIN_VALUE;

        Shopper(int index, int[] favourites, double[] favouriteCumulative) {
            this.index = index;
            this.id = String.format("u-%06d", index);
            this.favourites = favourites;
            this.favouriteCumulative = favouriteCumulative;
        }

        /** A favourite category, in proportion to its weight. */
        int drawFavourite(SplittableRandom random) {
            return favourites[Catalogue.pick(favouriteCumulative, random)];
        }
    }

    private final Shopper[] shoppers;
    private final double[] activityCumulative;

    ShopperPopulation(SplittableRandom random, Catalogue catalogue, int shoppers) {
        if (shoppers < 1) {
            throw new IllegalArgumentException("shoppers must be positive, got " + shoppers);
        }
        this.shoppers = new Shopper[shoppers];
        this.activityCumulative = new double[shoppers];
        double activity = 0;
        for (int i = 0; i < shoppers; i++) {
            int count = 2 + random.nextInt(3);
            int[] favourites = new int[count];
            double[] cumulative = new double[count];
            double total = 0;
            for (int k = 0; k < count; k++) {
                int category;
                do {
                    category = catalogue.drawCategory(random);
                } while (contains(favourites, k, category));
                favourites[k] = category;
                // Decreasing weights: the first favourite is the shopper's main interest.
                total += (0.3 + random.nextDouble()) / (k + 1);
                cumulative[k] = total;
            }
            this.shoppers[i] = new Shopper(i, favourites, cumulative);
            activity += Math.exp(0.7 * random.nextGaussian());
            activityCumulative[i] = activity;
        }
    }

    int size() {
        return shoppers.length;
    }

    Shopper get(int index) {
        return shoppers[index];
    }

    /** A shopper, more active ones more often. */
    Shopper draw(SplittableRandom random) {
        return shoppers[Catalogue.pick(activityCumulative, random)];
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int i = 0; i < length; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }
}

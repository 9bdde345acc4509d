package io.riffle.cli.demo.reco;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A shop's items in {@link #CATEGORIES 30 categories}, drawn once from a seed: contiguous blocks of
 * items per category ({@code item-0000} .. in category order), a list price per item, and two
 * popularity orders that the traffic follows:
 * <ul>
 *   <li>between categories, Zipf-like with exponent {@value #CATEGORY_EXPONENT} over a seeded
 *       ranking of the categories (how often shoppers are drawn to like a category);</li>
 *   <li>within a category, Zipf with exponent {@value #ITEM_EXPONENT} over a seeded order of its
 *       items (the item numbers say nothing about popularity).</li>
 * </ul>
 * Immutable once built; draws take the caller's random source.
 */
public final class Catalogue {

    public static final List<String> CATEGORIES = List.of(
            "books", "music", "films", "games", "toys", "baby", "garden", "kitchen", "furniture", "lighting",
            "tools", "automotive", "sports", "outdoors", "cycling", "fitness", "beauty", "fragrance", "health",
            "grocery", "wine", "pets", "stationery", "office", "computers", "phones", "audio", "cameras",
            "watches", "jewelry");

    static final double CATEGORY_EXPONENT = 0.5;
    static final double ITEM_EXPONENT = 0.8;

    private final String[] itemIds;
    private final int[] categoryOfItem;
    private final double[] prices;
    /** First item index of each category; the last entry is the item count. */
    private final int[] categoryStart;
    /** Per category: its items, most popular first. */
    private final int[][] itemsByPopularity;
    /** Per category: cumulative Zipf weights over {@link #itemsByPopularity}. */
    private final double[][] itemCumulative;
    /** Categories, most popular first. */
    private final int[] categoryRanking;
    private final double[] categoryWeight;
    private final double[] categoryCumulative;

    /** @param items at least one per category */
    public Catalogue(long seed, int items) {
        this(new SplittableRandom(seed), items);
    }

    Catalogue(SplittableRandom random, int items) {
        int categories = CATEGORIES.size();
        if (items < categories) {
            throw new IllegalArgumentException("a catalogue needs at least " + categories + " items, got " + items);
        }
        itemIds = new String[items];
        categoryOfItem = new int[items];
        prices = new double[items];
        categoryStart = new int[categories + 1];
        itemsByPopularity = new int[categories][];
        itemCumulative = new double[categories][];
        int next = 0;
        for (int c = 0; c < categories; c++) {
            int size = items / categories + (c < items % categories ? 1 : 0);
            categoryStart[c] = next;
            // Each category has its own price level; items spread log-normally around it.
            double logLevel = Math.log(8) + 2.5 * random.nextDouble();
            List<Integer> order = new ArrayList<>(size);
            for (int i = next; i < next + size; i++) {
                itemIds[i] = String.format("item-%04d", i);
                categoryOfItem[i] = c;
                prices[i] = Math.round(100 * Math.exp(logLevel + 0.5 * random.nextGaussian())) / 100.0;
                order.add(i);
            }
            shuffle(order, random);
            itemsByPopularity[c] = order.stream().mapToInt(Integer::intValue).toArray();
            itemCumulative[c] = zipfCumulative(size, ITEM_EXPONENT);
            next += size;
        }
        categoryStart[categories] = items;
        List<Integer> ranking = new ArrayList<>(categories);
        for (int c = 0; c < categories; c++) {
            ranking.add(c);
        }
        shuffle(ranking, random);
        categoryRanking = ranking.stream().mapToInt(Integer::intValue).toArray();
        categoryWeight = new double[categories];
        for (int rank = 0; rank < categories; rank++) {
            categoryWeight[categoryRanking[rank]] = 1.0 / Math.pow(rank + 1, CATEGORY_EXPONENT);
        }
        categoryCumulative = new double[categories];
        double total = 0;
        for (int c = 0; c < categories; c++) {
            total += categoryWeight[c];
            categoryCumulative[c] = total;
        }
    }

    public int size() {
        return itemIds.length;
    }

    public int categoryCount() {
        return CATEGORIES.size();
    }

    /** The item ids in index order: the class labels of a model over this catalogue. */
    public List<String> itemIds() {
        return Collections.unmodifiableList(Arrays.asList(itemIds));
    }

    public String itemId(int item) {
        return itemIds[item];
    }

    public int categoryOf(int item) {
        return categoryOfItem[item];
    }

    public String categoryName(int category) {
        return CATEGORIES.get(category);
    }

    public double price(int item) {
        return prices[item];
    }

    /** How many items the category holds. */
    public int categorySize(int category) {
        return categoryStart[category + 1] - categoryStart[category];
    }

    /** The category's items, most popular first. */
    public int[] itemsByPopularity(int category) {
        return itemsByPopularity[category].clone();
    }

    /** Categories, most popular first (the order shoppers' tastes are drawn by). */
    public int[] categoryRanking() {
        return categoryRanking.clone();
    }

    /** The category at {@code rank} (0 = most popular). */
    public int categoryAtRank(int rank) {
        return categoryRanking[rank];
    }

    /** An item of {@code category}, popular ones far more often (Zipf). */
    int drawItem(int category, SplittableRandom random) {
        return itemsByPopularity[category][pick(itemCumulative[category], random)];
    }

    /** A category in proportion to its popularity. */
    int drawCategory(SplittableRandom random) {
        return pick(categoryCumulative, random);
    }

    /** An index of {@code cumulative} (ascending) drawn in proportion to its weight. */
    static int pick(double[] cumulative, SplittableRandom random) {
        double u = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, u);
        return Math.min(cumulative.length - 1, i >= 0 ? i + 1 : -i - 1);
    }

    private static double[] zipfCumulative(int n, double exponent) {
        double[] c = new double[n];
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += 1.0 / Math.pow(r + 1, exponent);
            c[r] = total;
        }
        return c;
    }

    /** Fisher-Yates with the catalogue's own random source (Collections.shuffle wants a java.util.Random). */
    private static void shuffle(List<Integer> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }
}

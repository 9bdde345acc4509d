package io.riffle.cli.demo.reco;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two simple next-item predictors over generated interactions, scored prequentially with
 * recall@10: each shopper's next interaction (within 30 minutes) is predicted at the previous one
 * from item counts of the interactions before (refreshed every {@value #REFRESH} events, so
 * neither predictor sees the event it predicts except within one refresh block, alike for both).
 * <ul>
 *   <li>personal: the ten most counted items of the category of the shopper's last interaction;</li>
 *   <li>global: the ten most counted items of the shop (a "most popular" list).</li>
 * </ul>
 */
final class NextItemBaselines {
    static final int REFRESH = 1_000;
    static final long WITHIN_MS = 30 * 60_000;

    private NextItemBaselines() {
    }

    /**
     * {personal recall@10, global recall@10} over all predictions, then the same over the
     * predictions made at or after {@code shiftAtMs}.
     */
    static double[] recallAt10(List<Interaction> events, Catalogue catalogue, long shiftAtMs) {
        Map<String, Integer> itemIndex = new HashMap<>();
        Map<String, Integer> categoryIndex = new HashMap<>();
        for (int i = 0; i < catalogue.size(); i++) {
            itemIndex.put(catalogue.itemId(i), i);
        }
        for (int c = 0; c < catalogue.categoryCount(); c++) {
            categoryIndex.put(catalogue.categoryName(c), c);
        }
        long[] counts = new long[catalogue.size()];
        int[] global = new int[0];
        int[][] perCategory = new int[catalogue.categoryCount()][0];
        Map<String, Interaction> last = new HashMap<>();
        long judged = 0;
        long personalHits = 0;
        long globalHits = 0;
        long judgedAfter = 0;
        long personalAfter = 0;
        long globalAfter = 0;
        for (int n = 0; n < events.size(); n++) {
            if (n % REFRESH == 0) {
                global = top10(counts, allItems(catalogue.size()));
                for (int c = 0; c < perCategory.length; c++) {
                    perCategory[c] = top10(counts, catalogue.itemsByPopularity(c));
                }
            }
            Interaction e = events.get(n);
            int item = itemIndex.get(e.itemId());
            Interaction previous = last.put(e.userId(), e);
            if (previous != null && e.eventTime() - previous.eventTime() <= WITHIN_MS) {
                boolean after = previous.eventTime() >= shiftAtMs;
                judged++;
                judgedAfter += after ? 1 : 0;
                if (contains(perCategory[categoryIndex.get(previous.category())], item)) {
                    personalHits++;
                    personalAfter += after ? 1 : 0;
                }
                if (contains(global, item)) {
                    globalHits++;
                    globalAfter += after ? 1 : 0;
                }
            }
            counts[item]++;
        }
        return new double[] {(double) personalHits / judged, (double) globalHits / judged,
            (double) personalAfter / judgedAfter, (double) globalAfter / judgedAfter};
    }

    private static int[] allItems(int n) {
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return all;
    }

    /** The ten candidates with the highest counts (fewer when there are fewer candidates). */
    private static int[] top10(long[] counts, int[] candidates) {
        Integer[] boxed = Arrays.stream(candidates).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (a, b) -> Long.compare(counts[b], counts[a]));
        return Arrays.stream(boxed).limit(10).mapToInt(Integer::intValue).toArray();
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}

package io.riffle.cli.demo.reco;

/**
 * Recall@k and NDCG@k over a set of judged recommendations, each with exactly one relevant item
 * (what the user did next): recall@k is the share whose list holds it, NDCG@k the mean of
 * {@code 1 / log2(rank + 2)} for a hit at 0-based {@code rank} (0 for a miss; the ideal DCG of a
 * single relevant item is 1).
 *
 * @param judged recommendations whose user's next event came within the window
 * @param hits judged recommendations whose top-k held the next item
 * @param ndcgSum sum of the judged recommendations' NDCG@k
 */
public record RankingScore(long judged, long hits, double ndcgSum) {

    public static final RankingScore EMPTY = new RankingScore(0, 0, 0);

    /** Recall@k; NaN when nothing was judged. */
    public double recall() {
        return judged == 0 ? Double.NaN : (double) hits / judged;
    }

    /** NDCG@k; NaN when nothing was judged. */
    public double ndcg() {
        return judged == 0 ? Double.NaN : ndcgSum / judged;
    }

    /** The gain of a hit at 0-based {@code rank}. */
    static double gain(int rank) {
        return 1 / (Math.log(rank + 2) / Math.log(2));
    }
}

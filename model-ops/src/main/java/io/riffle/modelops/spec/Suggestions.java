package io.riffle.modelops.spec;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for near misses: the closest allowed word within a small edit distance. */
final class Suggestions {

    private Suggestions() {}

    /** The closest of {@code allowed} to {@code word}, or null when none is close enough to be a typo. */
    static String closest(String word, Collection<String> allowed) {
        if (word == null) {
            return null;
        }
        String w = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int d = distance(w, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // a third of the word, at least 1 and at most 3 edits: "amout" -> "amount", not "id" -> "key"
        int limit = Math.max(1, Math.min(3, w.length() / 3));
        return bestDistance <= limit ? best : null;
    }

    /** " (did you mean 'x'?)" or the empty string. */
    static String didYouMean(String word, Collection<String> allowed) {
        String c = closest(word, allowed);
        return c == null ? "" : " (did you mean '" + c + "'?)";
    }

    /** Levenshtein distance with adjacent transpositions counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

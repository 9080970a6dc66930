package org.smoothkl.audit;

/** Levenshtein distance (insertions, deletions, substitutions): the "did you mean" of bad-input messages. */
public final class EditDistance {
    private EditDistance() {
    }

    /**
     * The one of {@code known} nearest to {@code given}, if it is near: at most
     * max(2, {@code length} / 3) edits, {@code length} the given name's own length (without a
     * prefix both share, such as a config key's section); else null.
     */
    public static String nearest(String given, java.util.Collection<String> known, int length) {
        String nearest = known.stream().min(java.util.Comparator.comparingInt(k -> between(given, k))).orElse(null);
        return nearest != null && between(given, nearest) <= Math.max(2, length / 3) ? nearest : null;
    }

    /** {@link #nearest(String, java.util.Collection, int)} for a name of its own length. */
    public static String nearest(String given, java.util.Collection<String> known) {
        return nearest(given, known, given.length());
    }

    /** " (did you mean X?)" for the nearest of {@code known}, to follow the name given; nothing when none is near. */
    public static String didYouMean(String given, java.util.Collection<String> known) {
        String nearest = nearest(given, known);
        return nearest == null || nearest.equals(given) ? "" : " (did you mean " + nearest + "?)";
    }

    public static int between(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}

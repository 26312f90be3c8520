package dev.switchboard.telco.offline;

import java.util.Locale;
import java.util.Set;

/**
 * Where a sentence of the agent's own answers ends, for restating the first one briefly. A full stop ends a
 * sentence only when whitespace (or the end) follows and the word before it is not an abbreviation: the roaming
 * answer's "(e.g. Spain, France)" must not cut the recap short, and "£2.50" never could.
 */
final class Sentences {
    private static final Set<String> ABBREVIATIONS = Set.of("e.g", "i.e", "etc", "approx", "incl", "excl", "vs",
            "mr", "mrs", "ms", "dr", "st", "no", "min", "mins", "max", "a.m", "p.m", "ltd", "inc", "co", "dept");

    private Sentences() {
    }

    /** The first sentence of {@code text} (its first line, at most), stripped. */
    static String first(String text) {
        String t = text.strip();
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\n') {
                return t.substring(0, i).strip();
            }
            boolean end = c == '.' || c == '!' || c == '?';
            boolean followedByBreak = i + 1 == t.length() || Character.isWhitespace(t.charAt(i + 1));
            if (end && followedByBreak && !(c == '.' && abbreviationBefore(t, i))) {
                return t.substring(0, i + 1);
            }
        }
        return t;
    }

    /** Whether the word that ends at the full stop {@code dot} is an abbreviation or a single initial. */
    private static boolean abbreviationBefore(String text, int dot) {
        int start = dot;
        while (start > 0 && Character.isLetter(text.charAt(start - 1)) || start > 1 && text.charAt(start - 1) == '.'
                && Character.isLetter(text.charAt(start - 2))) {
            start--;
        }
        String word = text.substring(start, dot).toLowerCase(Locale.ROOT);
        return ABBREVIATIONS.contains(word) || word.length() == 1;
    }
}

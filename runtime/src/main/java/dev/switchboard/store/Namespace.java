package dev.switchboard.store;

import dev.switchboard.SwitchboardException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where an item lives: a non-empty path of labels such as {@code ["threads", "<thread id>"]}.
 *
 * <p>Labels may be neither empty nor contain {@code '.'}, because {@code GET /store/items} carries the
 * namespace as one dot-joined string; with those two rules {@link #dotted()} and {@link #parseDotted}
 * are exact inverses.
 */
public record Namespace(List<String> labels) implements Comparable<Namespace> {

    /**
     * Label by label, each label by UTF-16 code unit, and a namespace before every longer one it is a
     * prefix of. This is the order of tuples in LangGraph's stores; it is deliberately not the order of the
     * dotted strings ({@code a.b} would sort after {@code a-b}) nor a locale collation, so a SQL store must
     * either sort with a binary collation label by label or sort in Java with this comparator.
     */
    public static final Comparator<List<String>> LABEL_ORDER = Namespace::compareLabels;

    public Namespace {
        if (labels == null || labels.isEmpty()) {
            throw invalid("Namespace must have at least one label");
        }
        labels = List.copyOf(checkLabels(labels));
    }

    public static Namespace of(String... labels) {
        if (labels == null) {
            throw invalid("Namespace must have at least one label");
        }
        return new Namespace(nullTolerantList(labels));
    }

    /** Reads the query-string form {@code a.b} used by {@code GET /store/items}. */
    public static Namespace parseDotted(String dotted) {
        if (dotted == null || dotted.isEmpty()) {
            throw invalid("Namespace must have at least one label");
        }
        // A limit of -1 keeps trailing empty strings, so "a." is refused instead of read as "a".
        return new Namespace(List.of(dotted.split("\\.", -1)));
    }

    /**
     * Checks labels that are not a whole namespace by themselves (a search prefix, a listing suffix),
     * which may therefore be empty. Answers the list unchanged.
     */
    public static List<String> checkLabels(List<String> labels) {
        if (labels == null) {
            throw invalid("Namespace labels must be a list");
        }
        for (String label : labels) {
            if (label == null || label.isEmpty() || label.indexOf('.') >= 0) {
                throw invalid("Namespace labels cannot be empty or contain periods. Received: " + labels);
            }
        }
        return labels;
    }

    public String dotted() {
        return String.join(".", labels);
    }

    public int depth() {
        return labels.size();
    }

    public boolean startsWith(Namespace prefix) {
        return startsWith(prefix.labels);
    }

    /** Whole labels only: {@code ["a","bc"]} does not start with {@code ["a","b"]}. An empty prefix always matches. */
    public boolean startsWith(List<String> prefix) {
        return prefix.size() <= labels.size() && labels.subList(0, prefix.size()).equals(prefix);
    }

    /** Whole labels only. An empty suffix always matches. */
    public boolean endsWith(List<String> suffix) {
        int from = labels.size() - suffix.size();
        return from >= 0 && labels.subList(from, labels.size()).equals(suffix);
    }

    /** The first {@code depth} labels, or this namespace when it is no deeper than that. */
    public Namespace truncate(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, got " + depth);
        }
        return depth >= labels.size() ? this : new Namespace(labels.subList(0, depth));
    }

    @Override
    public int compareTo(Namespace other) {
        return compareLabels(labels, other.labels);
    }

    @Override
    public String toString() {
        return labels.toString();
    }

    private static int compareLabels(List<String> a, List<String> b) {
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    // List.of rejects nulls with a bare NullPointerException; a null label deserves the same answer as an empty one.
    private static List<String> nullTolerantList(String[] labels) {
        List<String> list = new ArrayList<>(labels.length);
        for (String label : labels) {
            list.add(label);
        }
        return list;
    }

    private static SwitchboardException.InvalidRequest invalid(String message) {
        return new SwitchboardException.InvalidRequest("invalid_namespace", message);
    }
}

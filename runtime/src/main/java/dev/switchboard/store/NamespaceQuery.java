package dev.switchboard.store;

import dev.switchboard.SwitchboardException;

import java.util.Collection;
import java.util.Arrays;
import java.util.List;

/**
 * A page of namespaces that hold live items ({@code POST /store/namespaces}).
 *
 * @param prefix   whole leading labels a namespace must have; empty matches all
 * @param suffix   whole trailing labels a namespace must have; empty matches all
 * @param maxDepth null for none; otherwise matching namespaces are cut to this many labels and the
 *                 duplicates that cutting makes are merged
 * @param limit    page size, 1 to {@value #MAX_LIMIT}
 * @param offset   namespaces to skip, counted after truncation and merging
 */
public record NamespaceQuery(List<String> prefix, List<String> suffix, Integer maxDepth, int limit, int offset) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public NamespaceQuery {
        prefix = prefix == null ? List.of() : List.copyOf(Namespace.checkLabels(prefix));
        suffix = suffix == null ? List.of() : List.copyOf(Namespace.checkLabels(suffix));
        if (maxDepth != null && maxDepth < 1) {
            throw new SwitchboardException.InvalidRequest("invalid_max_depth",
                    "max_depth must be at least 1, got " + maxDepth);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new SwitchboardException.InvalidRequest("invalid_limit",
                    "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new SwitchboardException.InvalidRequest("invalid_offset", "offset must not be negative, got " + offset);
        }
    }

    /** Every namespace, first {@value #DEFAULT_LIMIT}. */
    public static NamespaceQuery all() {
        return new NamespaceQuery(List.of(), List.of(), null, DEFAULT_LIMIT, 0);
    }

    public NamespaceQuery withPrefix(String... labels) {
        return new NamespaceQuery(Arrays.asList(labels), suffix, maxDepth, limit, offset);
    }

    public NamespaceQuery withSuffix(String... labels) {
        return new NamespaceQuery(prefix, Arrays.asList(labels), maxDepth, limit, offset);
    }

    public NamespaceQuery withMaxDepth(Integer maxDepth) {
        return new NamespaceQuery(prefix, suffix, maxDepth, limit, offset);
    }

    public NamespaceQuery withLimit(int limit) {
        return new NamespaceQuery(prefix, suffix, maxDepth, limit, offset);
    }

    public NamespaceQuery withOffset(int offset) {
        return new NamespaceQuery(prefix, suffix, maxDepth, limit, offset);
    }

    /** Prefix and suffix are tested against the whole namespace, before any truncation. */
    public boolean matches(Namespace namespace) {
        return namespace.startsWith(prefix) && namespace.endsWith(suffix);
    }

    /**
     * The whole query applied to the namespaces of the live items, in any order and with repeats: match,
     * truncate, merge, sort by {@link Namespace#LABEL_ORDER}, page. Stores that cannot express all of it in
     * their query language can fetch candidate namespaces and finish here, and so answer exactly alike.
     */
    public List<List<String>> apply(Collection<Namespace> namespaces) {
        return namespaces.stream()
                .filter(this::matches)
                .map(ns -> maxDepth == null ? ns : ns.truncate(maxDepth))
                .distinct()
                .sorted()
                .skip(offset)
                .limit(limit)
                .map(Namespace::labels)
                .toList();
    }
}

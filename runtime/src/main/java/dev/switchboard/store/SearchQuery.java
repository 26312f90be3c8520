package dev.switchboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;

import java.util.Comparator;
import java.util.Arrays;
import java.util.List;

/**
 * A page of items under a namespace prefix ({@code POST /store/items/search} without {@code query}).
 *
 * @param namespacePrefix whole leading labels an item's namespace must have; empty matches every item
 * @param filter          null for none; otherwise every field must match the item's value, as
 *                        {@link ItemFilter} defines (values by equality or containment, or $eq, $ne, $gt, $gte,
 *                        $lt, $lte)
 * @param limit           page size, 1 to {@value #MAX_LIMIT}
 * @param offset          items to skip, counted after filtering
 */
public record SearchQuery(List<String> namespacePrefix, ObjectNode filter, int limit, int offset) {

    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 1000;

    /**
     * Most recently written first; the key breaks ties so that a page boundary never depends on storage
     * order. The namespace comes last only to make the order total; callers should not lean on it.
     */
    public static final Comparator<Item> RESULT_ORDER = Comparator.comparing(Item::updatedAt).reversed()
            .thenComparing(Item::key)
            .thenComparing(Item::namespace);

    public SearchQuery {
        namespacePrefix = namespacePrefix == null ? List.of() : List.copyOf(Namespace.checkLabels(namespacePrefix));
        filter = filter == null ? null : ItemFilter.check(filter.deepCopy());
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new SwitchboardException.InvalidRequest("invalid_limit",
                    "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (offset < 0) {
            throw new SwitchboardException.InvalidRequest("invalid_offset", "offset must not be negative, got " + offset);
        }
    }

    /** The first {@value #DEFAULT_LIMIT} items under {@code labels}, unfiltered; no labels means every item. */
    public static SearchQuery prefix(String... labels) {
        return new SearchQuery(Arrays.asList(labels), null, DEFAULT_LIMIT, 0);
    }

    public SearchQuery withFilter(ObjectNode filter) {
        return new SearchQuery(namespacePrefix, filter, limit, offset);
    }

    public SearchQuery withLimit(int limit) {
        return new SearchQuery(namespacePrefix, filter, limit, offset);
    }

    public SearchQuery withOffset(int offset) {
        return new SearchQuery(namespacePrefix, filter, limit, offset);
    }

    /** Prefix and filter only; expiry and paging are the store's business. */
    public boolean matches(Item item) {
        return item.namespace().startsWith(namespacePrefix) && ItemFilter.matches(item.value(), filter);
    }
}

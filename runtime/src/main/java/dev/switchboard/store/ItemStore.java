package dev.switchboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Namespaced key-value items with JSON object values and an optional time to live.
 *
 * <p>An item whose expiry instant has been reached (by the store's clock) is gone for every read, whether
 * or not {@link #purgeExpired()} has removed it yet; writing its key again starts a new item. Every method
 * is safe to call from many threads at once, and each put or delete is atomic for its key.
 *
 * <p>Bad arguments are answered with {@link SwitchboardException.InvalidRequest} before anything changes.
 * The static {@code check*} methods spell out the rules so that every implementation refuses the same input.
 */
public interface ItemStore {

    /**
     * Creates or replaces the item. On replace the value and expiry are overwritten and {@code createdAt}
     * is kept (unless the old item had already expired); {@code updatedAt} is now either way.
     *
     * @param ttl null for an item that never expires, otherwise positive; counted from now, also on replace
     * @return the item as stored
     */
    default Item put(Namespace ns, String key, ObjectNode value, Duration ttl) {
        return put(ns, key, value, ttl, null);
    }

    /**
     * {@link #put(Namespace, String, ObjectNode, Duration)} with the item's vector for semantic search
     * ({@link #searchSimilar}); null for an item that is not indexed. The vector is replaced with the value, so
     * a put without one leaves the item unindexed.
     */
    Item put(Namespace ns, String key, ObjectNode value, Duration ttl, float[] embedding);

    /**
     * Live items that match {@code q}'s prefix and filter and have a vector of {@code query}'s size, most similar
     * first (cosine similarity; ties in {@link SearchQuery#RESULT_ORDER}), then paged. Items put without a vector
     * are not among them. Brute force over the matching items: fine to the tens of thousands.
     */
    List<ScoredItem> searchSimilar(SearchQuery q, float[] query);

    /** The live item, or empty if there is none or it has expired. */
    Optional<Item> get(Namespace ns, String key);

    /** Removes the item; true if a live one was there. */
    boolean delete(Namespace ns, String key);

    /** Live matching items ordered by {@link SearchQuery#RESULT_ORDER}, then paged. */
    List<Item> search(SearchQuery q);

    /** The namespaces holding live items, shaped by {@link NamespaceQuery#apply}. */
    List<List<String>> listNamespaces(NamespaceQuery q);

    /**
     * {@code refresh_ttl}: each of {@code items} (by namespace and key) that is still live and was put with a ttl
     * expires that ttl after now instead. Items without a ttl, expired or gone meanwhile are left alone. Answers
     * how many were refreshed. The value, {@code updatedAt} and search order do not change: a read is not a write.
     */
    int refreshTtl(java.util.Collection<Item> items);

    /** Physically removes expired items; answers how many. Only storage and speed depend on calling it. */
    int purgeExpired();

    static Namespace checkNamespace(Namespace ns) {
        if (ns == null) {
            throw new SwitchboardException.InvalidRequest("invalid_namespace", "Namespace is required");
        }
        return ns;
    }

    static String checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new SwitchboardException.InvalidRequest("invalid_key", "Key must be a non-empty string");
        }
        return key;
    }

    static ObjectNode checkValue(ObjectNode value) {
        if (value == null) {
            throw new SwitchboardException.InvalidRequest("invalid_value", "Value must be a JSON object");
        }
        return value;
    }

    static Duration checkTtl(Duration ttl) {
        if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
            throw new SwitchboardException.InvalidRequest("invalid_ttl", "ttl must be positive, got " + ttl);
        }
        return ttl;
    }

    /** All of the checks a put makes, in the order a caller would fix them. */
    static void checkPut(Namespace ns, String key, ObjectNode value, Duration ttl) {
        checkNamespace(ns);
        checkKey(key);
        checkValue(value);
        checkTtl(ttl);
    }

    /** When an item written at {@code now} with {@code ttl} expires: null for no ttl. */
    static Instant expiryFor(Instant now, Duration ttl) {
        if (ttl == null) {
            return null;
        }
        try {
            return now.plus(checkTtl(ttl));
        } catch (ArithmeticException | DateTimeException e) {
            // Past Instant.MAX: refuse rather than store an item that silently never expires.
            throw new SwitchboardException.InvalidRequest("invalid_ttl", "ttl is too large: " + ttl);
        }
    }
}

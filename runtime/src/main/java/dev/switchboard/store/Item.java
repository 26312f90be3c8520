package dev.switchboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored value. {@code createdAt} is when the key was first written (or first written again after it
 * expired), {@code updatedAt} when it was last written; {@code expiresAt} is null for an item without a
 * time to live.
 *
 * <p>The item holds its own deep copy of {@code value}, so neither the caller that built it nor one that
 * later edits {@link #value()} can reach into a store that handed it out.
 */
public record Item(Namespace namespace, String key, ObjectNode value, Instant createdAt, Instant updatedAt,
                   Instant expiresAt) {

    public Item {
        Objects.requireNonNull(namespace, "namespace");
        ItemStore.checkKey(key);
        ItemStore.checkValue(value);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        value = value.deepCopy();
    }

    /**
     * Whether the item is gone at {@code now}. The expiry instant itself already counts as expired, so a
     * store that keeps rows with {@code expires_at > now} agrees with one that drops {@code expires_at <= now}.
     */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}

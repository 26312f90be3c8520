package dev.switchboard.thread;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;
import java.util.List;
import java.util.UUID;

/** A thread search: JSON containment on metadata and values, optional status and ids, a page and an order. */
public record ThreadQuery(
        ObjectNode metadata,
        ObjectNode values,
        ThreadStatus status,
        List<UUID> ids,
        int limit,
        int offset,
        SortBy sortBy,
        boolean ascending,
        String owner) {

    public enum SortBy {
        THREAD_ID("thread_id"), STATUS("status"), CREATED_AT("created_at"), UPDATED_AT("updated_at");

        private final String wireName;

        SortBy(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static SortBy fromWire(String text) {
            for (SortBy s : values()) {
                if (s.wireName.equals(text)) {
                    return s;
                }
            }
            throw new SwitchboardException.InvalidRequest("invalid_sort",
                    "sort_by must be one of thread_id, status, created_at, updated_at; got '" + text + "'");
        }
    }

    public ThreadQuery {
        if (limit < 1 || limit > 1000) {
            throw new SwitchboardException.InvalidRequest("limit must be between 1 and 1000, got " + limit);
        }
        if (offset < 0) {
            throw new SwitchboardException.InvalidRequest("offset must not be negative, got " + offset);
        }
        ids = ids == null ? null : List.copyOf(ids);
        metadata = metadata == null ? null : metadata.deepCopy();
        values = values == null ? null : values.deepCopy();
        sortBy = sortBy == null ? SortBy.CREATED_AT : sortBy;
    }

    /** A search over every owner's threads. */
    public ThreadQuery(ObjectNode metadata, ObjectNode values, ThreadStatus status, List<UUID> ids, int limit,
            int offset, SortBy sortBy, boolean ascending) {
        this(metadata, values, status, ids, limit, offset, sortBy, ascending, null);
    }

    /**
     * Only threads whose {@code metadata.owner} is {@code user} (null: any owner). Stores answer this with an
     * indexed predicate, not by reading every thread's metadata.
     */
    public ThreadQuery ownedBy(String user) {
        return new ThreadQuery(metadata, values, status, ids, limit, offset, sortBy, ascending, user);
    }

    /** The owner a thread's metadata names, or null. */
    public static String ownerOf(ObjectNode metadata) {
        com.fasterxml.jackson.databind.JsonNode owner = metadata == null ? null : metadata.get("owner");
        return owner != null && owner.isTextual() ? owner.asText() : null;
    }

    public static ThreadQuery all() {
        return new ThreadQuery(null, null, null, null, 1000, 0, SortBy.CREATED_AT, false);
    }
}

package dev.switchboard.cron;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;

/**
 * A cron search: every non-null filter must hold ({@code metadata} by containment, as {@link Json#contains}),
 * sorted by {@code sortBy} then by id, {@code offset} skipped and at most {@code limit} answered.
 *
 * @param userId only this owner's crons; null: everyone's (no sign-in, or an admin)
 */
public record CronQuery(UUID assistantId, UUID threadId, Boolean enabled, ObjectNode metadata, String userId,
        SortBy sortBy, boolean descending, int limit, int offset) {

    public CronQuery {
        metadata = Json.copyObject(metadata);
        sortBy = sortBy == null ? SortBy.CREATED_AT : sortBy;
        if (limit < 0 || offset < 0) {
            throw new SwitchboardException.InvalidRequest("invalid_field", "limit and offset must not be negative");
        }
    }

    /** Every cron, oldest first. */
    public static CronQuery all() {
        return new CronQuery(null, null, null, null, null, SortBy.CREATED_AT, false, Integer.MAX_VALUE, 0);
    }

    public boolean matches(Cron c) {
        return (assistantId == null || assistantId.equals(c.assistantId()))
                && (threadId == null || threadId.equals(c.threadId()))
                && (enabled == null || enabled == c.enabled())
                && (userId == null || userId.equals(c.userId()))
                && Json.contains(c.metadata(), metadata);
    }

    /** The order of the answer; ties (and null values, which sort first) are broken by cron id. */
    public Comparator<Cron> order() {
        Comparator<Cron> by = sortBy.comparator();
        if (descending) {
            by = by.reversed();
        }
        return by.thenComparing(Cron::cronId, Comparator.comparing(UUID::toString));
    }

    /** What a search may sort by (the SDKs' {@code CronSortBy}). */
    public enum SortBy {
        CRON_ID("cron_id", "cron_id"),
        ASSISTANT_ID("assistant_id", "assistant_id"),
        THREAD_ID("thread_id", "thread_id"),
        CREATED_AT("created_at", "created_at"),
        UPDATED_AT("updated_at", "updated_at"),
        NEXT_RUN_DATE("next_run_date", "next_run_at");

        private final String wireName;
        private final String column;

        SortBy(String wireName, String column) {
            this.wireName = wireName;
            this.column = column;
        }

        public String wireName() {
            return wireName;
        }

        /** The table column a SQL store orders by. */
        public String column() {
            return column;
        }

        public static SortBy fromWire(String text) {
            for (SortBy s : values()) {
                if (s.wireName.equals(text)) {
                    return s;
                }
            }
            throw new SwitchboardException.InvalidRequest("invalid_field", "sort_by must be one of cron_id, "
                    + "assistant_id, thread_id, created_at, updated_at, next_run_date; got '" + text + "'");
        }

        Comparator<Cron> comparator() {
            return switch (this) {
                case CRON_ID -> Comparator.comparing(c -> c.cronId().toString());
                case ASSISTANT_ID -> Comparator.comparing(c -> c.assistantId().toString());
                case THREAD_ID -> Comparator.comparing(c -> c.threadId() == null ? null : c.threadId().toString(),
                        Comparator.nullsFirst(Comparator.naturalOrder()));
                case CREATED_AT -> Comparator.comparing(Cron::createdAt);
                case UPDATED_AT -> Comparator.comparing(Cron::updatedAt);
                case NEXT_RUN_DATE -> Comparator.comparing(Cron::nextRunAt,
                        Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));
            };
        }
    }
}

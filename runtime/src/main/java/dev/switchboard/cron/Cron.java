package dev.switchboard.cron;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A scheduled run.
 *
 * @param cronId         its id
 * @param assistantId    the assistant each firing runs
 * @param threadId       the thread each firing runs on; null for a stateless cron (a new thread per firing)
 * @param userId         the owner (the signed-in user who made it; null without sign-in): runs act as this user
 * @param schedule       the cron expression as given (five fields, see {@link CronSchedule})
 * @param timezone       the IANA zone the schedule is read in; null means UTC
 * @param endTime        after this instant the cron fires no more; null: never ends
 * @param onRunCompleted what happens to a stateless firing's thread; null for a thread cron
 * @param enabled        a disabled cron keeps its definition and fires nothing
 * @param payload        the run-create body each firing submits (input, config, metadata, stream modes, …)
 * @param metadata       the cron's own metadata (searchable)
 * @param nextRunAt      the next due time; null when it will not fire again (ended, or disabled)
 */
public record Cron(UUID cronId, UUID assistantId, UUID threadId, String userId, String schedule, String timezone,
        Instant endTime, OnRunCompleted onRunCompleted, boolean enabled, ObjectNode payload, ObjectNode metadata,
        Instant nextRunAt, Instant createdAt, Instant updatedAt) {

    public Cron {
        Objects.requireNonNull(cronId, "cronId");
        Objects.requireNonNull(assistantId, "assistantId");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (threadId != null && onRunCompleted != null) {
            throw new IllegalArgumentException("on_run_completed applies to stateless crons only");
        }
        if (threadId == null && onRunCompleted == null) {
            onRunCompleted = OnRunCompleted.DELETE;
        }
        payload = Json.copyObject(payload);
        metadata = Json.copyObject(metadata);
    }

    public boolean stateless() {
        return threadId == null;
    }

    /** The schedule parsed in this cron's zone. */
    public CronSchedule parsedSchedule() {
        return CronSchedule.parse(schedule, timezone);
    }

    public Cron withNextRunAt(Instant next) {
        return new Cron(cronId, assistantId, threadId, userId, schedule, timezone, endTime, onRunCompleted, enabled,
                payload, metadata, next, createdAt, updatedAt);
    }

    /**
     * The first due time strictly after {@code after} that the cron will fire at: null when it is disabled, its
     * schedule has no further time, or that time is past its end.
     */
    public Instant nextAfter(Instant after) {
        if (!enabled) {
            return null;
        }
        Instant next = parsedSchedule().nextAfter(after).orElse(null);
        return next == null || (endTime != null && next.isAfter(endTime)) ? null : next;
    }
}

package dev.switchboard.cron;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Storage port for crons. Besides keeping them, it owns the step that makes firing happen once across
 * instances: {@link #claim}, a compare-and-set on the next due time. Every implementation passes the testkit's
 * {@code CronStoreContract}.
 */
public interface CronStore {

    /** Inserts a new cron; a {@code cron_exists} conflict if its id is taken. */
    Cron create(Cron cron);

    Optional<Cron> get(UUID cronId);

    /** Replaces a cron's definition (next due time included); not found if it is gone. */
    Cron update(Cron cron);

    boolean delete(UUID cronId);

    /** Deletes a thread's crons (the thread is being deleted); answers how many. */
    int deleteByThread(UUID threadId);

    List<Cron> search(CronQuery query);

    long count(CronQuery query);

    /** Enabled crons whose next due time is at or before {@code now}, earliest first, at most {@code limit}. */
    List<Cron> due(Instant now, int limit);

    /** The earliest next due time of any enabled cron: when the firing loop next has work. */
    Optional<Instant> nextDue();

    /**
     * The firing claim: if the cron is still enabled and its next due time is exactly {@code expectedNext}, sets
     * it to {@code newNext} (null: it fires no more) and answers the cron as it now is. Empty when anything
     * moved it first (another instance fired it, a user changed or deleted it), so of many claimants one wins.
     * {@code updatedAt} is left alone: it tells when a user last changed the cron.
     */
    Optional<Cron> claim(UUID cronId, Instant expectedNext, Instant newNext);
}

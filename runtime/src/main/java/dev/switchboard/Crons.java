package dev.switchboard;

import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.cron.Cron;
import dev.switchboard.cron.CronDispatcher;
import dev.switchboard.cron.CronLauncher;
import dev.switchboard.cron.CronQuery;
import dev.switchboard.cron.CronStore;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The crons of one runtime: their definitions, checked as a run's request is (a bad payload is a 4xx at
 * creation, never a failed firing), and this instance's firing loop once started. What a firing launches is
 * the launcher's part ({@link Switchboard#launchCron} by default).
 */
final class Crons implements AutoCloseable {
    private final CronStore crons;
    private final AssistantStore assistants;
    private final ThreadStore threads;
    private final Clock clock;
    private final Duration maxSleep;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile CronDispatcher dispatcher;

    Crons(CronStore crons, AssistantStore assistants, ThreadStore threads, Clock clock, Duration maxSleep) {
        this.crons = crons;
        this.assistants = assistants;
        this.threads = threads;
        this.clock = clock;
        this.maxSleep = maxSleep;
    }

    /**
     * Creates a cron from a draft whose {@code nextRunAt} is ignored: the assistant (and the thread, for a thread
     * cron) must exist, the schedule and time zone must parse, and the schedule must have a due time before the
     * cron's end; the first due time is the first after now.
     */
    Cron create(Cron draft) {
        assistants.get(draft.assistantId()).orElseThrow(() -> SwitchboardException.NotFound.of("Assistant",
                draft.assistantId()));
        if (draft.threadId() != null) {
            threads.get(draft.threadId()).orElseThrow(() -> SwitchboardException.NotFound.of("Thread",
                    draft.threadId()));
        }
        // What each firing will submit is checked now: a bad payload is a 4xx here, never a failed firing later.
        RunInputs.validateInput(draft.payload().get("input"));
        CronPayloads.request(draft, draft.threadId() != null ? draft.threadId() : Ids.newId());
        Cron cron = crons.create(withFirstDueTime(draft));
        wake();
        return cron;
    }

    /**
     * Replaces a cron's definition; the next due time is recomputed from now when the schedule, the time zone,
     * the end time or {@code enabled} changed, and kept otherwise.
     */
    Cron update(Cron changed) {
        Cron current = get(changed.cronId());
        RunInputs.validateInput(changed.payload().get("input"));
        boolean timing = !current.schedule().equals(changed.schedule())
                || !java.util.Objects.equals(current.timezone(), changed.timezone())
                || !java.util.Objects.equals(current.endTime(), changed.endTime())
                || current.enabled() != changed.enabled();
        Cron next = timing ? withFirstDueTime(changed) : changed.withNextRunAt(current.nextRunAt());
        Cron updated = crons.update(next);
        wake();
        return updated;
    }

    private Cron withFirstDueTime(Cron cron) {
        var now = clock.instant();
        Instant next = cron.nextAfter(now);
        if (next == null && cron.enabled()) {
            // parsedSchedule() has refused a bad expression already; here it is valid but never due again.
            throw new SwitchboardException.InvalidRequest("invalid_cron", "schedule '" + cron.schedule() + "'"
                    + (cron.endTime() != null ? " has no due time before end_time " + cron.endTime()
                    : " has no future due time"));
        }
        cron.parsedSchedule();
        return cron.withNextRunAt(next);
    }

    Cron get(UUID cronId) {
        return crons.get(cronId).orElseThrow(() -> SwitchboardException.NotFound.of("Cron", cronId));
    }

    boolean delete(UUID cronId) {
        return crons.delete(cronId);
    }

    List<Cron> search(CronQuery query) {
        return crons.search(query);
    }

    long count(CronQuery query) {
        return crons.count(query);
    }

    /**
     * Starts firing crons with {@code launcher}; once per runtime. Not at construction, so that a server can
     * install its launcher before anything fires, catch-up runs included.
     */
    void start(CronLauncher launcher) {
        CronDispatcher started = new CronDispatcher(crons, clock, launcher, maxSleep);
        lock.lock();
        try {
            if (dispatcher != null) {
                throw new IllegalStateException("crons are already started");
            }
            dispatcher = started;
        } finally {
            lock.unlock();
        }
        started.start();
    }

    boolean started() {
        return dispatcher != null;
    }

    /** Fires what is due now on this instance's claim. */
    int fireDue() {
        CronDispatcher d = dispatcher;
        if (d == null) {
            throw new IllegalStateException("crons are not started");
        }
        return d.fireDue();
    }

    /** A cron changed here: the loop recomputes its sleep. */
    private void wake() {
        CronDispatcher d = dispatcher;
        if (d != null) {
            d.wake();
        }
    }

    @Override
    public void close() {
        CronDispatcher d = dispatcher;
        if (d != null) {
            d.close();
        }
    }
}

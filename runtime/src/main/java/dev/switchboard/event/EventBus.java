package dev.switchboard.event;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Registry of the event logs of runs on this instance, with retention after close.
 *
 * <p>When a log closes, its removal is scheduled {@code retentionAfterClose} later on one daemon
 * scheduler thread (created on first use), so nothing polls. Independently, {@link #find}, {@link #open}
 * and {@link #openLogs} compare the log's close time with the {@link Clock} and treat a log whose
 * retention has passed as gone, so that behaviour follows the injected clock even if the scheduler has
 * not fired yet. Each log keeps at most {@code capacityPerRun} recent events; see {@link EventLog} for
 * the slow-subscriber policy.
 */
public final class EventBus implements AutoCloseable {
    public static final int DEFAULT_CAPACITY_PER_RUN = 10_000;
    /**
     * Long enough for a client to reconnect with {@code Last-Event-ID} after its run ended; a later join of a
     * finished run is answered from the stored state instead. Retained logs hold every token and full-state
     * event, so this bounds the memory a busy server spends on finished runs.
     */
    public static final Duration DEFAULT_RETENTION_AFTER_CLOSE = Duration.ofSeconds(60);

    private final Clock clock;
    private final int capacityPerRun;
    private final Duration retentionAfterClose;
    private final ConcurrentMap<UUID, EventLog> logs = new ConcurrentHashMap<>();
    // Keyed by identity (EventLog keeps Object.equals) so a scheduled removal never hits a newer log of the same run.
    private final ConcurrentMap<EventLog, ScheduledFuture<?>> removals = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor scheduler;
    private volatile boolean closed;
    private volatile PublishObserver observer = PublishObserver.NONE;

    /** System clock, {@value #DEFAULT_CAPACITY_PER_RUN} events per run, ten minutes of retention. */
    public EventBus() {
        this(Clock.systemUTC(), DEFAULT_CAPACITY_PER_RUN, DEFAULT_RETENTION_AFTER_CLOSE);
    }

    public EventBus(Clock clock, int capacityPerRun, Duration retentionAfterClose) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacityPerRun < 1) {
            throw new IllegalArgumentException("capacityPerRun must be >= 1, got " + capacityPerRun);
        }
        this.capacityPerRun = capacityPerRun;
        Objects.requireNonNull(retentionAfterClose, "retentionAfterClose");
        if (retentionAfterClose.isNegative()) {
            throw new IllegalArgumentException("retentionAfterClose must not be negative, got " + retentionAfterClose);
        }
        this.retentionAfterClose = retentionAfterClose;
        this.scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("switchboard-event-retention").factory());
        // Cancelled removals (forget) must not keep their log reachable until the delay runs out.
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Installs the observer every log opened from now on reports each publish to (metrics, ordering tests).
     */
    public void observe(PublishObserver publishObserver) {
        this.observer = Objects.requireNonNull(publishObserver, "publishObserver");
    }

    /**
     * The log of {@code runId}: the existing one (open, or closed and still retained), else a new one.
     *
     * @param threadId the run's thread, or null for a run without one
     * @throws IllegalStateException if the bus is closed
     */
    public EventLog open(UUID runId, UUID threadId) {
        Objects.requireNonNull(runId, "runId");
        if (closed) {
            throw new IllegalStateException("the event bus is closed");
        }
        return logs.compute(runId, (id, existing) -> existing != null && !expired(existing)
                ? existing
                : new EventLog(id, threadId, capacityPerRun, clock, this::logClosed, observer));
    }

    /** The log of {@code runId} if it is open or still retained after close. */
    public Optional<EventLog> find(UUID runId) {
        Objects.requireNonNull(runId, "runId");
        EventLog log = logs.get(runId);
        if (log == null) {
            return Optional.empty();
        }
        if (expired(log)) {
            remove(log);
            return Optional.empty();
        }
        return Optional.of(log);
    }

    /**
     * Drops the log of {@code runId} now (for example when rollback deletes the run). The log is closed,
     * so its subscribers still receive {@link RunEvent.End} and finish cleanly.
     */
    public void forget(UUID runId) {
        Objects.requireNonNull(runId, "runId");
        EventLog log = logs.remove(runId);
        if (log != null) {
            log.close();
            cancelRemoval(log);
        }
    }

    /** How many logs the bus holds: open ones plus closed ones still within their retention. */
    public int openLogs() {
        logs.values().forEach(log -> {
            if (expired(log)) {
                remove(log);
            }
        });
        return logs.size();
    }

    /** Closes every log (their subscribers finish), forgets them and stops the scheduler; idempotent. */
    @Override
    public void close() {
        closed = true;
        logs.values().forEach(log -> {
            logs.remove(log.runId(), log);
            log.close();
        });
        scheduler.shutdownNow();
        removals.clear();
    }

    // Called by a log, on the publishing thread, right after it closed.
    private void logClosed(EventLog log) {
        if (closed || logs.get(log.runId()) != log) {
            return; // forgotten or bus shut down: nothing to retain
        }
        try {
            ScheduledFuture<?> removal = scheduler.schedule(() -> remove(log), delayNanos(), TimeUnit.NANOSECONDS);
            removals.put(log, removal);
            if (removal.isDone() || logs.get(log.runId()) != log) {
                removals.remove(log, removal); // it already ran, or forget() raced us
            }
        } catch (RejectedExecutionException shutDown) {
            remove(log);
        }
    }

    private void remove(EventLog log) {
        logs.remove(log.runId(), log);
        cancelRemoval(log);
    }

    private void cancelRemoval(EventLog log) {
        ScheduledFuture<?> removal = removals.remove(log);
        if (removal != null) {
            removal.cancel(false);
        }
    }

    private boolean expired(EventLog log) {
        return log.closedAt()
                .map(at -> !clock.instant().isBefore(at.plus(retentionAfterClose)))
                .orElse(false);
    }

    private long delayNanos() {
        try {
            return retentionAfterClose.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** For tests: tasks scheduled here with a longer delay run after the removals scheduled before them. */
    ScheduledExecutorService scheduler() {
        return scheduler;
    }
}

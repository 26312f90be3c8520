package dev.switchboard;

import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.cron.CronStore;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.run.Lane;
import dev.switchboard.run.RunStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.thread.ThreadTtl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Thread expiry (docs/expiry.md): finds threads whose ttl ran out (counted from their last update), and deletes
 * them with everything they own or prunes them to their latest checkpoint. A thread with a pending or running
 * run, or an operation in flight, is skipped and looked at again on the next sweep: no side effect may go on
 * without its record. Safe for several instances on one database: each thread is claimed by one conditional
 * statement ({@link ThreadStore#deleteIfExpired}, {@link ThreadStore#touchIfExpired}) that only one sweeper wins.
 */
public final class ThreadExpiry implements AutoCloseable {
    /** Threads looked at per round; a sweep goes on round after round while a round finds a full batch. */
    public static final int BATCH = 100;

    private static final Logger LOG = Logger.getLogger(ThreadExpiry.class.getName());

    private final Clock clock;
    private final ThreadStore threads;
    private final RunStore runs;
    private final CheckpointStore checkpoints;
    private final OperationStore operations;
    private final CronStore crons;
    private final ItemStore items;
    private final Consumer<UUID> forget;
    private final ExpirySettings settings;
    private volatile ScheduledExecutorService timer;

    ThreadExpiry(Clock clock, ThreadStore threads, RunStore runs, CheckpointStore checkpoints,
            OperationStore operations, CronStore crons, ItemStore items, Consumer<UUID> forget,
            ExpirySettings settings) {
        this.settings = settings;
        this.clock = clock;
        this.threads = threads;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.crons = crons;
        this.items = items;
        this.forget = forget;
    }

    /** True when the thread has a pending or running run on any lane, or an operation not yet ended. */
    public boolean busy(UUID threadId) {
        for (Lane lane : Lane.values()) {
            if (!runs.active(threadId, lane).isEmpty()) {
                return true;
            }
        }
        return operations.listByThread(threadId).stream().anyMatch(op -> !op.status().isTerminal());
    }

    /**
     * One sweep at the clock's now: every expired, idle thread is deleted or pruned. Returns how many threads it
     * handled (those another sweeper won are not counted).
     */
    public int sweep() {
        Instant now = clock.instant();
        int handled = 0;
        while (true) {
            var due = threads.expired(now, BATCH);
            int round = 0;
            for (ThreadTtl.Expired e : due) {
                if (busy(e.threadId())) {
                    continue;
                }
                if (e.strategy() == ThreadTtl.Strategy.DELETE) {
                    // The row first, conditionally: the winner alone goes on to delete what the thread owned.
                    if (threads.deleteIfExpired(e.threadId(), now)) {
                        deleteOwned(e.threadId());
                        round++;
                    }
                } else if (threads.touchIfExpired(e.threadId(), now)) {
                    keepLatest(e.threadId());
                    round++;
                }
            }
            handled += round;
            // A full batch may hide more expired threads; a round that handled none (all busy) stops the sweep.
            if (due.size() < BATCH || round == 0) {
                return handled;
            }
        }
    }

    /** Keep-latest: the thread keeps its latest checkpoint; older checkpoints and finished runs go. */
    public void keepLatest(UUID threadId) {
        checkpoints.deleteAllButLatest(threadId);
        runs.deleteFinished(threadId);
    }

    private void deleteOwned(UUID threadId) {
        runs.deleteByThread(threadId);
        checkpoints.deleteByThread(threadId);
        operations.deleteByThread(threadId);
        crons.deleteByThread(threadId);
        deleteLaneItems(threadId);
        forget.accept(threadId);
    }

    /**
     * The store items of the thread's default coordination namespace ({@code ["threads", id]} and below): the
     * lanes' progress, locks and interim messages, meaningless once the thread is gone.
     */
    private void deleteLaneItems(UUID threadId) {
        var query = new dev.switchboard.store.SearchQuery(
                dev.switchboard.operation.CoordinationKeys.defaultNamespace(threadId), null, 1000, 0);
        for (var page = items.search(query); !page.isEmpty(); page = items.search(query)) {
            page.forEach(item -> items.delete(item.namespace(), item.key()));
        }
    }

    /** The ttl a thread created without one gets; empty when threads never expire unless asked. */
    public java.util.Optional<ThreadTtl> defaultTtl() {
        return java.util.Optional.ofNullable(settings.defaultThreadTtl());
    }

    /** Whether a store read that does not say {@code refresh_ttl} refreshes what it returns. */
    public boolean storeRefreshOnRead() {
        return settings.storeRefreshOnRead();
    }

    /** How often the timer sweeps. */
    public Duration sweepEvery() {
        return settings.sweepEvery();
    }

    /** True once the timer runs. */
    public boolean started() {
        return timer != null;
    }

    /** Starts the timer at the configured interval ({@link ExpirySettings#sweepEvery}). */
    public void start() {
        start(settings.sweepEvery());
    }

    /** Sweeps every {@code every} on a daemon timer until {@link #close}; once. */
    public synchronized void start(Duration every) {
        if (timer != null) {
            throw new IllegalStateException("the expiry sweeper is already started");
        }
        if (every.isZero() || every.isNegative()) {
            throw new IllegalArgumentException("sweep interval must be positive, got " + every);
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            java.lang.Thread t = new java.lang.Thread(r, "switchboard-expiry");
            t.setDaemon(true);
            return t;
        });
        long millis = every.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = sweep();
                // Expired store items are already invisible to every read; this frees their rows.
                int purged = items.purgeExpired();
                if (n > 0 || purged > 0) {
                    LOG.fine(() -> "expiry sweep handled " + n + " threads and purged " + purged + " store items");
                }
            } catch (RuntimeException e) {
                // A failed sweep (a database hiccup) is retried on the next tick; the timer must not die.
                LOG.log(Level.WARNING, "expiry sweep failed; retrying next interval", e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}

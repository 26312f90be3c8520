package dev.switchboard.cron;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The firing loop of one instance. It sleeps until the earliest next due time in the store (or until
 * {@link #wake} says a cron changed here), then fires what is due: for each due cron it computes the next due
 * time after <em>now</em> and {@linkplain CronStore#claim claims} the firing; only the claim's winner launches the
 * run. So every due time fires once across instances, and a cron that fell due several times while no instance
 * ran fires once when one comes back (the catch-up rule).
 *
 * <p>The sleep is bounded by {@code maxSleep}, because a cron created or changed on another instance does not
 * wake this one; a claim that loses costs one conditional UPDATE.
 */
public final class CronDispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CronDispatcher.class.getName());
    /** Crons fired per pass at most; a longer backlog is fired by the passes that follow at once. */
    static final int BATCH = 100;

    private final CronStore store;
    private final Clock clock;
    private final CronLauncher launcher;
    private final Duration maxSleep;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean woken;
    private volatile boolean closed;
    private java.lang.Thread loop;

    public CronDispatcher(CronStore store, Clock clock, CronLauncher launcher, Duration maxSleep) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        if (maxSleep.isNegative() || maxSleep.isZero()) {
            throw new IllegalArgumentException("maxSleep must be positive");
        }
        this.maxSleep = maxSleep;
    }

    /** Starts the loop on a daemon thread of its own. */
    public void start() {
        lock.lock();
        try {
            if (loop != null) {
                throw new IllegalStateException("the cron loop is already running");
            }
            loop = java.lang.Thread.ofPlatform().daemon().name("switchboard-crons").start(this::run);
        } finally {
            lock.unlock();
        }
    }

    /** A cron was created or changed here: recompute the sleep. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fires every cron due now that this instance wins the claim for; answers how many it launched. The loop
     * calls it; a test on a manual clock calls it after moving the clock.
     */
    public int fireDue() {
        Instant now = clock.instant();
        int launched = 0;
        List<Cron> due;
        do {
            due = store.due(now, BATCH);
            for (Cron cron : due) {
                Instant next = cron.nextAfter(now);
                Optional<Cron> claimed = store.claim(cron.cronId(), cron.nextRunAt(), next);
                if (claimed.isEmpty()) {
                    continue; // another instance fired it, or a user changed it meanwhile
                }
                try {
                    launcher.launch(claimed.get());
                    launched++;
                } catch (RuntimeException e) {
                    // The due time is spent either way: a firing that cannot start (its thread or assistant was
                    // deleted) must not be retried in a tight loop; the next due time may succeed.
                    LOG.log(Level.WARNING, "cron " + cron.cronId() + " due at " + cron.nextRunAt()
                            + " could not start its run: " + e.getMessage(), e);
                }
            }
        } while (due.size() == BATCH && !closed);
        return launched;
    }

    private void run() {
        while (!closed) {
            Duration sleep = maxSleep;
            try {
                fireDue();
                Optional<Instant> next = store.nextDue();
                if (next.isPresent()) {
                    Duration until = Duration.between(clock.instant(), next.get());
                    sleep = until.compareTo(maxSleep) < 0 ? until : maxSleep;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cron pass failed; retrying in " + maxSleep.toSeconds() + " s", e);
            }
            try {
                sleep(sleep);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sleep(Duration duration) throws InterruptedException {
        lock.lock();
        try {
            long nanos = Math.max(duration.toNanos(), TimeUnit.MILLISECONDS.toNanos(1));
            while (!woken && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            woken = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        wake();
        java.lang.Thread t;
        lock.lock();
        try {
            t = loop;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
        }
    }
}

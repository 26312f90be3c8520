package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the parts of the scheduler share: the stores and collaborators, the thread slots and the runs executing
 * here. It owns no transition; {@link RunStarter}, {@link RunFinisher}, {@link RunCanceller} and
 * {@link LeaseKeeper} each own theirs and read and write this state under the slot lock.
 */
final class Scheduling {
    private static final int SLOT_STRIPES = 256;

    final RunStore runs;
    final EventBus events;
    final Clock clock;
    final String owner;
    final Duration lease;
    final Lanes lanes;
    final Leases leases;
    final RunCheckpoints state;
    final OperationReports reports;
    final ThreadRows rows;
    final Completions completions;
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            java.lang.Thread.ofPlatform().daemon().name("switchboard-run-timers").factory());
    /** Runs executing here under this instance's lease, by run id; readable without the slot lock. */
    final ConcurrentHashMap<UUID, Execution> leased = new ConcurrentHashMap<>();
    private final ThreadSlot[] slots = new ThreadSlot[SLOT_STRIPES];

    volatile boolean closed;
    volatile RunListener listener = RunListener.NONE;
    volatile Cluster cluster = Cluster.LOCAL;

    Scheduling(RunStore runs, EventBus events, Clock clock, String owner, Duration lease, Lanes lanes, Leases leases,
            RunCheckpoints state, OperationReports reports, ThreadRows rows, Completions completions) {
        this.runs = runs;
        this.events = events;
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
        this.lanes = lanes;
        this.leases = leases;
        this.state = state;
        this.reports = reports;
        this.rows = rows;
        this.completions = completions;
        for (int i = 0; i < SLOT_STRIPES; i++) {
            slots[i] = new ThreadSlot();
        }
    }

    /**
     * The slot of the threads whose ids fall in one stripe: one lock serialises every decision about them, with
     * bounded memory however many threads there are. A stripe is never held while taking another stripe's lock
     * (no decision about one thread touches another).
     */
    static final class ThreadSlot {
        final ReentrantLock lock = new ReentrantLock();
        /** Runs of this stripe's threads executing in this process, by run id. Guarded by {@link #lock}. */
        final Map<UUID, Execution> executing = new HashMap<>();
    }

    /** A run executing on a virtual thread of this process. Fields guarded by its slot's lock. */
    static final class Execution {
        final Run run;
        final EventLog log;
        java.lang.Thread worker;
        /** This instance's lease on the run, as last claimed or renewed; lost when another took it over. */
        Leases.Held lease;
        volatile CancelAction cancelAction;
        UUID supersededBy;
        boolean finishing;
        /** The thread row was written as the run ended (RunFinisher), before its stream ended. Under the slot lock. */
        boolean rowWritten;
        long cancelRequestedNanos;

        Execution(Run run, EventLog log) {
            this.run = run;
            this.log = log;
        }
    }

    ThreadSlot slot(UUID threadId) {
        return slots[Math.floorMod(threadId.hashCode(), SLOT_STRIPES)];
    }

    ThreadSlot[] allSlots() {
        return slots.clone();
    }

    /** Runs {@code action} holding the thread's slot lock. */
    void withSlot(UUID threadId, java.util.function.Consumer<ThreadSlot> action) {
        ThreadSlot slot = slot(threadId);
        slot.lock.lock();
        try {
            action.accept(slot);
        } finally {
            slot.lock.unlock();
        }
    }

    /** Schedules {@code task} on the timer thread unless the scheduler is stopping. */
    void later(Runnable task, long millis) {
        if (closed) {
            return;
        }
        try {
            timers.schedule(task, Math.max(1, millis), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // closing
        }
    }

    /** No longer executing here: the run's lease and execution are forgotten. Requires the slot lock. */
    void releaseLocked(ThreadSlot slot, UUID runId) {
        slot.executing.remove(runId);
        leased.remove(runId);
        leases.release(runId);
    }

    /** The run as the store has it, or as this instance last knew it when the store cannot be reached. */
    Optional<Run> storedOr(Run run) {
        try {
            return runs.get(run.runId());
        } catch (RuntimeException unreachable) {
            return Optional.of(run);
        }
    }

    /** The notice that ends a cancelled run's stream (a {@code custom} event saying why, then the end). */
    void endCancelled(EventLog log, Run run, CancelAction action, UUID supersededBy) {
        if (log.isClosed()) {
            return;
        }
        log.publish(new RunEvent.RunCancelled(run.runId(), action.wireName(), action == CancelAction.ROLLBACK,
                supersededBy));
        log.close();
    }
}

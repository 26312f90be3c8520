package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.store.ItemStore;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admits, starts, cancels and finishes runs; at most one run per thread and lane is running. This class is the
 * entry point and the wiring; each transition has one owner:
 * <pre>
 *   admit      (slot lock; here) an "auto" message is routed to a lane; store.admit inserts it pending under
 *              the strategy ({@link StrategyDecision}); interrupt/rollback cancel every active run of the lane;
 *              then the next run starts. A store error after the insert never reaches the client as a 5xx.
 *   start      (slot lock; {@link RunStarter}) claimNext marks the oldest due pending run running; it executes
 *              on a new virtual thread
 *   cancel     (slot lock; {@link RunCanceller}) a pending run ends at once; a running one is interrupted
 *   finish     (slot lock, on the run's own thread; {@link RunFinisher}) status written, state fixed up, log
 *              ended, report runs queued, then the next run starts
 *   lost       (slot lock; {@link LeaseKeeper}) the run's lease was taken over: the run is interrupted here and
 *              its finish writes nothing; the recoverer ends it
 *   recover    (slot lock; {@link LeaseKeeper}) a run whose owner died: taken over, dangling tool calls closed,
 *              interrupted, then the next run starts
 * </pre>
 * A cancelled run's log ends before its successor is even claimed, so no event of the old run can follow the
 * first event of the new one. Nothing polls: a queued run is started by the finish of the run before it, on that
 * run's thread. Methods ending in {@code Locked} require the slot lock.
 *
 * <p>A claimed run is held by this instance under a lease that {@link Recovery}'s heartbeat extends. Its end is
 * written with {@link RunStore#finish}, which refuses a stale owner; its checkpoints are written only while the
 * lease, as this instance last renewed it, has not run out ({@link Leases}).
 *
 * <p>Slightly over ~400 lines on purpose: admission, with its strategy decision, routing and the admission's
 * one transaction, is written whole under the slot lock it holds; the rest are one-line delegations to the
 * owners of starts, cancels, completions and relays.
 */
public final class RunScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunScheduler.class.getName());

    private final Scheduling s;
    private final ClusterRelay relay;
    private final RunCanceller canceller;
    private final RunStarter starter;
    private final LeaseKeeper keeper;
    private final Recovery recovery;
    private final Pauses pauses;

    public RunScheduler(RunStore runs, ThreadStore threads, CheckpointStore checkpoints, EventBus events, Clock clock,
            Function<UUID, AgentGraph> graphs, int maxHistory, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, ItemStore store, Duration secondaryWait, String owner, Duration lease) {
        this(runs, threads, checkpoints, events, clock, graphs, maxHistory, operations, runner, operationTools, store,
                secondaryWait, owner, lease, StepLimits.DEFAULTS);
    }

    public RunScheduler(RunStore runs, ThreadStore threads, CheckpointStore checkpoints, EventBus events, Clock clock,
            Function<UUID, AgentGraph> graphs, int maxHistory, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, ItemStore store, Duration secondaryWait, String owner, Duration lease,
            StepLimits limits) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(lease, "lease");
        Lanes lanes = new Lanes(store, clock, owner);
        Leases leases = new Leases(clock);
        RunCheckpoints state = new RunCheckpoints(checkpoints, operations, operationTools, leases, owner, clock);
        this.s = new Scheduling(runs, events, clock, owner, lease, lanes, leases, state,
                new OperationReports(runs, threads, operations, state, clock),
                new ThreadRows(threads, runs, checkpoints, clock), new Completions(runs));
        this.relay = new ClusterRelay(events);
        this.canceller = new RunCanceller(s, this::admitReport, relay::relayIfLocal);
        AgentLoop loop = new AgentLoop(state, operations, runner, operationTools, lanes, clock, maxHistory,
                secondaryWait, new Coordination() {
                    @Override
                    public void operationOrphaned(Operation op) {
                        scheduleReport(op);
                    }

                    @Override
                    public void abortSecondary(UUID threadId, UUID runId) throws InterruptedException {
                        canceller.abortSecondary(threadId, runId, Duration.ofSeconds(10));
                    }

                    @Override
                    public void foldPendingSecondary(UUID threadId, Lanes.Conversation conversation) {
                        canceller.foldPendingSecondary(threadId, conversation);
                    }
                }, limits);
        this.starter = new RunStarter(s, loop, graphs, new RunFinisher(s, this::admitReport), relay::relayIfLocal);
        this.pauses = new Pauses(graphs);
        this.keeper = new LeaseKeeper(s, starter, this::admitReport);
        this.recovery = new Recovery(new Recovery.Runs() {
            @Override
            public boolean isClosed() {
                return s.closed;
            }

            @Override
            public void resumePending() {
                starter.resumePending();
            }

            @Override
            public void renewLeases() {
                keeper.renewLeases();
            }

            @Override
            public void sweepStranded() {
                starter.sweepStranded();
                relay.closeEndedMirrors(s.runs, s.leased::containsKey);
            }

            @Override
            public void recoverRun(Run seen) {
                keeper.recoverRun(seen);
            }

            @Override
            public void scheduleReport(Operation op) {
                RunScheduler.this.scheduleReport(op);
            }
        }, runs, operations, runner, threads, graphs, clock, owner, lease);
    }

    /** Installs the listener that sees admissions and ends (one; the last installed wins). */
    public void listen(RunListener runListener) {
        s.listener = Objects.requireNonNull(runListener);
    }

    /**
     * Recovers what dead instances left behind (at start also what this instance id held in a previous life),
     * reports ended operations nobody reported, starts pending runs, and from then on keeps this instance's
     * leases alive and recovers expired ones. Call once, before serving.
     */
    public void start() {
        recovery.start();
    }

    /**
     * Joins the other instances of a deployment: cancels and double-texts for runs they execute reach them, and
     * a thread freed here wakes them. Signals are hints; the store stays the truth.
     */
    public void joinCluster(Cluster signals) {
        s.cluster = signals;
        s.completions.join(signals);
        relay.join(signals);
        signals.listen(new Cluster.Listener() {
            @Override
            public void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
                s.withSlot(threadId, slot -> {
                    if (slot.executing.containsKey(runId)) {
                        canceller.cancelLocked(slot, runId, action, supersededBy);
                    }
                });
            }

            @Override
            public void follow(UUID runId) {
                relay.relayIfLocal(runId);
            }

            @Override
            public void relayed(UUID runId, long sequence, String event) {
                relay.mirror(runId, sequence, event);
            }

            @Override
            public void ended(UUID runId) {
                s.completions.endedElsewhere(runId);
            }

            @Override
            public void wake(UUID threadId) {
                s.withSlot(threadId, slot -> {
                    for (Lane lane : Lane.values()) {
                        starter.startNextLocked(slot, threadId, lane, false);
                    }
                });
            }
        });
    }

    /**
     * Queues a report run for an operation whose run no longer awaits it, so its outcome reaches the thread as
     * a tool result and an answer. Idempotent while such a run is pending or running.
     */
    void scheduleReport(Operation op) {
        if (s.closed) {
            return; // recovery at the next start reports it
        }
        s.reports.candidate(op, 1).ifPresent(this::admitReport);
    }

    private void admitReport(Run report) {
        try {
            admit(report, SupersededInput.DROP, false, null);
            LaneLog.step("report-queued", "operation", report.reportsOperation(), "run", report.runId());
        } catch (SwitchboardException.Unavailable shuttingDown) {
            // recovery at the next start reports it
        }
    }

    /**
     * Runs {@code write} holding the thread's slot lock, so a write of the thread's row (metadata patch, state
     * update, graph recorded at submit) never races the status and values the scheduler writes at a run's
     * admission and end, and a "no active run" check holds until the write is done.
     */
    public <T> T serialized(UUID threadId, java.util.function.Supplier<T> write) {
        Scheduling.ThreadSlot slot = s.slot(threadId);
        slot.lock.lock();
        try {
            return write.get();
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * Admits {@code candidate} under its multitask strategy; {@code autoRoute} picks its lane (secondary while
     * the thread's main run awaits an operation). Returns the admitted run (already running if the thread was
     * free). {@code reject} with an active run throws {@link SwitchboardException.Conflict}. {@code graphId}, if
     * given, is recorded on the thread (with the run's assistant) when the thread has none yet, in the same
     * transaction that admits the run and marks a main-lane run's thread busy: one commit for all three.
     */
    public Run admit(Run candidate, SupersededInput superseded, boolean autoRoute, String graphId) {
        if (s.closed) {
            throw new SwitchboardException.Unavailable("the server is shutting down");
        }
        ObjectNode stamped = candidate.kwargs();
        stamped.put("origin_instance", s.owner);
        candidate = candidate.withKwargs(stamped);
        Scheduling.ThreadSlot slot = s.slot(candidate.threadId());
        slot.lock.lock();
        try {
            // The thread's latest checkpoint tells whether it is paused; read only when that matters.
            Optional<dev.switchboard.checkpoint.Checkpoint> latest = candidate.command().isPresent() || autoRoute
                    ? s.state.latest(candidate.threadId()) : Optional.empty();
            boolean paused = latest.flatMap(dev.switchboard.checkpoint.Checkpoint::pause).isPresent();
            if (candidate.lane() == Lane.MAIN || autoRoute) {
                pauses.checkAdmissionLocked(candidate, latest, s.runs);
            }
            if (autoRoute) {
                // Routed under the slot lock: a lane that closes meanwhile folds or refuses this run under the
                // same lock, so no message falls between the routing and the admission. A thread waiting for a
                // person takes a new message on the main lane, where it answers the pause (Pauses).
                Lane lane = paused ? Lane.MAIN : s.lanes.route(candidate.threadId(), LoopSteps.namespace(candidate), "auto");
                ObjectNode metadata = candidate.metadata();
                metadata.put("lane", lane.wireName());
                candidate = candidate.withLane(lane).withMetadata(metadata);
            }
            s.completions.expect(candidate.runId());
            RunStore.Admission admission;
            Run routed = candidate;
            try {
                // A thread deleted meanwhile refuses the run: here, exactly for a store only this process uses (its
                // deletions hold this slot); again inside the transaction for a shared one (ThreadRows#admitted).
                s.rows.requireThread(candidate.threadId());
                admission = s.runs.atomically(() -> {
                    RunStore.Admission a = s.runs.admit(routed, (c, active) -> StrategyDecision.decide(c, active, superseded));
                    s.rows.admitted(a.admitted(), graphId);
                    return a;
                });
            } catch (RuntimeException e) {
                s.completions.cancelExpectation(candidate.runId());
                throw e;
            }
            Run admitted = admission.admitted();
            try {
                afterAdmissionLocked(slot, admission);
            } catch (RuntimeException e) {
                // The run is admitted (durably): the client gets it, never a 5xx that would invite a retry and a
                // second run. Whatever failed here is picked up again by the triggered sweep.
                LOG.log(Level.WARNING, "run " + admitted.runId() + " was admitted but could not be started yet", e);
                starter.retryStartLater(admitted.threadId(), admitted.lane(), 1);
            }
            // Started here: the claim returned its stored row, so it is not read again.
            Scheduling.Execution started = s.leased.get(admitted.runId());
            return started != null ? started.run : s.storedOr(admitted).orElse(admitted);
        } finally {
            slot.lock.unlock();
        }
    }

    private void afterAdmissionLocked(Scheduling.ThreadSlot slot, RunStore.Admission admission) {
        Run admitted = admission.admitted();
        s.events.open(admitted.runId(), admitted.threadId());
        relay.watch(admitted.runId());
        s.listener.admitted(admitted, admission.activeBefore());
        MultitaskStrategy strategy = admitted.multitaskStrategy();
        if (strategy == MultitaskStrategy.INTERRUPT || strategy == MultitaskStrategy.ROLLBACK) {
            CancelAction action = strategy == MultitaskStrategy.INTERRUPT ? CancelAction.INTERRUPT : CancelAction.ROLLBACK;
            for (Run active : admission.activeBefore()) {
                canceller.cancelLocked(slot, active.runId(), action, admitted.runId());
            }
        }
        starter.startNextLocked(slot, admitted.threadId(), admitted.lane(), false);
    }

    /**
     * Cancels a run of a thread. A finished run is left as it is. Returns the run as it stands after the
     * request (empty if it was deleted); with {@code wait}, blocks until a running run has finished.
     */
    public Optional<Run> cancel(UUID threadId, UUID runId, CancelAction action, Duration wait)
            throws InterruptedException, TimeoutException {
        return canceller.cancel(threadId, runId, action, wait);
    }

    /** Cancels every active run of a thread (before the thread is deleted) and waits for them to end. */
    public List<UUID> cancelAll(UUID threadId, CancelAction action, Duration wait) throws InterruptedException {
        return canceller.cancelAll(threadId, action, wait);
    }

    /**
     * A join on a run that executes on another instance: asks that instance to relay and answers the local
     * mirror log (empty until the first relayed event arrives).
     */
    public EventLog followRemote(Run run) {
        return relay.followRemote(run);
    }

    /**
     * Blocks until the run has ended. Returns its final record, or empty if it was deleted (rolled back).
     * A run that already ended returns at once.
     */
    public Optional<Run> await(UUID runId, Duration timeout) throws InterruptedException, TimeoutException {
        return s.completions.await(runId, timeout);
    }

    /** Starts whatever is pending in the store (after a restart); runs already running elsewhere are left alone. */
    public void resumePending() {
        starter.resumePending();
    }

    /** Forgets a deleted thread: nothing to do, slots are stripes and lanes forget idle conversations themselves. */
    public void forgetThread(UUID threadId) {
        // kept for callers that delete threads; see above
    }

    /** True while some run of the thread executes in this process. */
    public boolean isExecuting(UUID threadId) {
        Scheduling.ThreadSlot slot = s.slot(threadId);
        slot.lock.lock();
        try {
            return slot.executing.values().stream().anyMatch(ex -> ex.run.threadId().equals(threadId));
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * The first half of a graceful stop: no run is admitted or started any more, and the runs executing here get
     * up to {@code grace} to finish on their own. Queued runs stay pending in the store for the next start.
     */
    public void drain(Duration grace) throws InterruptedException {
        s.closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        for (Scheduling.Execution ex : executions()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            ex.worker.join(Duration.ofNanos(left));
        }
    }

    private List<Scheduling.Execution> executions() {
        List<Scheduling.Execution> all = new ArrayList<>();
        for (Scheduling.ThreadSlot slot : s.allSlots()) {
            slot.lock.lock();
            try {
                all.addAll(slot.executing.values());
            } finally {
                slot.lock.unlock();
            }
        }
        return all;
    }

    /** Stops taking runs and interrupts every executing run; they end as interrupted. */
    @Override
    public void close() {
        s.closed = true;
        recovery.close();
        s.timers.shutdownNow();
        List<Scheduling.Execution> all = new ArrayList<>();
        for (Scheduling.ThreadSlot slot : s.allSlots()) {
            slot.lock.lock();
            try {
                all.addAll(slot.executing.values());
                for (Scheduling.Execution ex : slot.executing.values()) {
                    if (!ex.finishing) {
                        dev.switchboard.Interruptions.interrupt(ex.worker);
                    }
                }
            } finally {
                slot.lock.unlock();
            }
        }
        for (Scheduling.Execution ex : all) {
            try {
                ex.worker.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

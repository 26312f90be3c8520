package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.agent.AgentGraph;
import dev.switchboard.operation.LaneLog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns starting runs. Under the slot lock, {@code RunStore.claimNext} marks the thread's oldest due pending run
 * of a lane running (if none is) and it executes on a new virtual thread, whose end hands it to
 * {@link RunFinisher}, which starts the next one. Nothing polls:
 * <pre>
 *   a run admitted, or the run before it ended   → started at once
 *   a run with after_seconds                       → a one-shot timer at its due time
 *   a run admitted by another (live) instance      → that instance is woken; taken here only a third of a
 *                                                    lease later if still pending (its admitter is gone)
 *   a store error while starting                   → retried (0.1 s, 0.2 s, … 8 tries), then the heartbeat's
 *                                                    safety net ({@link #sweepStranded})
 *   a secondary run claimed while its lane closes  → never starts: its question is folded into the exchange
 * </pre>
 */
final class RunStarter {
    private static final Logger LOG = Logger.getLogger(RunStarter.class.getName());
    private static final int START_RETRIES = 8;

    private final Scheduling s;
    private final AgentLoop loop;
    private final Function<UUID, AgentGraph> graphs;
    private final RunFinisher finisher;

    /** Relays a run's events to the other instances (the admitting one mirrors them into its log). */
    private final java.util.function.Consumer<UUID> relay;

    RunStarter(Scheduling s, AgentLoop loop, Function<UUID, AgentGraph> graphs, RunFinisher finisher,
            java.util.function.Consumer<UUID> relay) {
        this.s = s;
        this.relay = relay;
        this.loop = loop;
        this.graphs = graphs;
        this.finisher = finisher;
    }

    /** {@link #startNextLocked}, with a store error turned into a retry instead of a stranded run. */
    void startNextChecked(Scheduling.ThreadSlot slot, UUID threadId, Lane lane, boolean anyOrigin, int attempt) {
        try {
            startNextLocked(slot, threadId, lane, anyOrigin);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not start the next run of thread " + threadId + "; retrying", e);
            retryStartLater(threadId, lane, attempt);
        }
    }

    /** The triggered sweep after a store error left a thread's next run unstarted. */
    void retryStartLater(UUID threadId, Lane lane, int attempt) {
        if (attempt > START_RETRIES) {
            return;
        }
        s.later(() -> s.withSlot(threadId, slot -> startNextChecked(slot, threadId, lane, false, attempt + 1)),
                100L << (attempt - 1));
    }

    /**
     * The bounded safety net, run by the heartbeat (every lease/3): a due pending run whose thread and lane has no
     * running run and that has waited longer than a third of a lease is started. It only ever finds runs that a
     * store error stranded past every retry; normally each run is started by its admission or its predecessor.
     */
    void sweepStranded() {
        var now = s.clock.instant();
        for (Run pending : s.runs.pending()) {
            if (s.closed) {
                return;
            }
            if (!pending.isDue(now) || pending.createdAt().plus(s.lease.dividedBy(3)).isAfter(now)) {
                continue;
            }
            s.withSlot(pending.threadId(), slot -> startNextChecked(slot, pending.threadId(), pending.lane(), true,
                    START_RETRIES + 1));
        }
        s.completions.forgetEnded();
    }

    /** Starts whatever is pending in the store (after a restart); runs already running elsewhere are left alone. */
    void resumePending() {
        for (Run pending : s.runs.pending()) {
            s.withSlot(pending.threadId(), slot -> {
                s.completions.expect(pending.runId());
                s.events.open(pending.runId(), pending.threadId());
                startNextLocked(slot, pending.threadId(), pending.lane(), true);
            });
        }
    }

    /**
     * Starts the thread's next run here. A run admitted by another instance is left to that instance, whose
     * clients stream it: it is woken, and only if the run is still pending a third of a lease later (its
     * admitter is gone) does this instance take it ({@code anyOrigin}).
     */
    void startNextLocked(Scheduling.ThreadSlot slot, UUID threadId, Lane lane, boolean anyOrigin) {
        if (s.closed) {
            return;
        }
        if (lane == Lane.SECONDARY) {
            // A secondary run executes where its lane is open: only that instance knows what the lane processes
            // and waits for it when it closes. Another instance wakes it; the lane's instance takes any origin.
            var now = s.clock.instant();
            Optional<Run> first = s.runs.active(threadId, lane).stream()
                    .filter(r -> r.status() == RunStatus.PENDING && r.isDue(now)).findFirst();
            if (first.isPresent()) {
                List<String> namespace = LoopSteps.namespace(first.get());
                if (s.lanes.openElsewhere(namespace, threadId).isPresent()) {
                    s.cluster.wake(threadId);
                    return;
                }
                anyOrigin = anyOrigin || s.lanes.isOpenHere(namespace, threadId);
            }
        }
        if (!anyOrigin) {
            var now = s.clock.instant();
            List<Run> active = s.runs.active(threadId, lane);
            Optional<Run> first = active.stream()
                    .filter(r -> r.status() == RunStatus.PENDING && r.isDue(now)).findFirst();
            String origin = first.map(Run::originInstance).filter(java.util.Objects::nonNull).orElse(s.owner);
            boolean othersRunning = active.stream().anyMatch(r -> r.status() == RunStatus.RUNNING);
            if (first.isEmpty()) {
                // Nothing due to claim (the common case when a thread's last run ends): no write transaction.
                armTimerForDelayedRunLocked(threadId, lane, active);
                return;
            }
            if (!origin.equals(s.owner) && !othersRunning) {
                s.cluster.wake(threadId);
                s.later(() -> s.withSlot(threadId, s2 -> startNextLocked(s2, threadId, lane, true)),
                        s.lease.toMillis() / 3);
                return;
            }
        }
        Optional<Run> next = s.runs.claimNext(threadId, lane, s.owner, s.clock.instant().plus(s.lease));
        if (next.isEmpty()) {
            armTimerForDelayedRunLocked(threadId, lane, s.runs.active(threadId, lane));
            return;
        }
        Run run = next.get();
        Scheduling.Execution ex = new Scheduling.Execution(run, s.events.open(run.runId(), run.threadId()));
        ex.lease = s.leases.hold(run.runId(), run.leaseUntil());
        s.leased.put(run.runId(), ex);
        if (run.originInstance() != null && !run.originInstance().equals(s.owner)) {
            // The admitting instance opened a log at admission that its clients stream from: fill it from here.
            relay.accept(run.runId());
        }
        if (run.lane() == Lane.SECONDARY && !s.lanes.beginSecondary(LoopSteps.namespace(run), run)) {
            foldClaimedLocked(slot, ex);
            startNextLocked(slot, threadId, lane, anyOrigin);
            return;
        }
        slot.executing.put(run.runId(), ex);
        ex.worker = java.lang.Thread.ofVirtual().name("run-" + run.runId()).unstarted(() -> execute(slot, ex));
        ex.worker.start();
    }

    /**
     * A secondary run claimed while its lane is closing never starts: its question joins the interim exchange,
     * which the closing main run's synthesis answers, and it ends interrupted. The main run's fold of pending
     * secondary runs takes the same slot lock, so this lands before the synthesis reads the exchange.
     */
    private void foldClaimedLocked(Scheduling.ThreadSlot slot, Scheduling.Execution ex) {
        Run run = ex.run;
        s.lanes.appendInterim(s.lanes.conversation(LoopSteps.namespace(run)), RunCanceller.questionsOf(run), () -> { });
        LaneLog.step("secondary-folded", "run", run.runId());
        s.endCancelled(ex.log, run, CancelAction.INTERRUPT, null);
        Optional<Run> result = s.runs.finish(run.runId(), s.owner, RunStatus.INTERRUPTED);
        s.releaseLocked(slot, run.runId());
        s.listener.ended(run, result.map(Run::status).orElse(null), null);
        s.completions.complete(run.runId(), result);
    }

    /**
     * A pending run with {@code after_seconds} is started by a one-shot timer at its due time (or earlier, by
     * the end of the run before it).
     */
    private void armTimerForDelayedRunLocked(UUID threadId, Lane lane, List<Run> active) {
        if (active.stream().anyMatch(r -> r.status() == RunStatus.RUNNING)) {
            return; // that run's end starts the next one
        }
        // Every delayed pending run counts, due or not: a timer that fired a hair early by the wall clock must
        // re-arm even if the clock says "due" by the time this runs.
        var now = s.clock.instant();
        active.stream()
                .map(Run::notBefore)
                .filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.naturalOrder())
                .ifPresent(due -> s.later(() -> s.withSlot(threadId, slot -> startNextLocked(slot, threadId, lane, false)),
                        Duration.between(now, due).toMillis()));
    }

    private void execute(Scheduling.ThreadSlot slot, Scheduling.Execution ex) {
        RunFinisher.Outcome outcome;
        Throwable failure = null;
        try {
            AgentGraph graph = graphs.apply(ex.run.assistantId());
            loop.execute(ex.run, graph, ex.log, () -> ex.cancelAction);
            outcome = RunFinisher.Outcome.COMPLETED;
        } catch (InterruptedException e) {
            outcome = RunFinisher.Outcome.CANCELLED;
        } catch (Throwable e) {
            // Any Throwable ends the run (an Error from a tool or model included): its finish must always run, or
            // the thread's next run would never start and the heartbeat would renew the lease for ever.
            outcome = RunFinisher.Outcome.FAILED;
            failure = e;
            if (!(e instanceof Exception)) {
                LOG.log(Level.WARNING, "run " + ex.run.runId() + " ended by " + e, e);
            }
        }
        UUID threadId = ex.run.threadId();
        Lane lane = ex.run.lane();
        finisher.finish(slot, ex, outcome, failure,
                () -> startNextChecked(slot, threadId, lane, false, 1),
                () -> retryStartLater(threadId, lane, 1));
    }
}

package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Leases, the heartbeat and crash recovery of one runtime instance (DESIGN.md §3 item 4 and §5).
 *
 * <p>Every running run and every running operation is held by one server instance, its owner, until its lease
 * ends. A claim's life, the same for runs and operations, written once:
 * <pre>
 *   unclaimed ──claim (RunStore.claimNext; OperationRunner.start)──► held by this instance until now + lease
 *   held      ──heartbeat, every lease/3: lease extended to now + lease──► held
 *   held      ──its end, written fenced: only while this instance is the owner──► ended (the owner is kept)
 *   held      ──no heartbeat for a whole lease (owner dead, hung, or cut off from the database)──► expired
 *   expired   ──recovery: compare-and-set on owner and lease end as read──► held by the recoverer, which
 *                 run:       closes its dangling tool calls, ends it interrupted, frees the thread, starts the
 *                            next pending run
 *                 operation: resumes it with the same idempotency key if its tool is idempotent; ends it
 *                            cancelled if a cancel was asked for before its point of no return; otherwise ends
 *                            it failed, saying why
 *   held by a stale owner ──its heartbeat, checkpoint, progress or end write is refused──► it stops, writing
 *                 nothing more
 * </pre>
 * An ended operation that no run awaits gets a report run ({@code check_status} with the outcome, then an
 * answer), so the thread always hears how it ended, and the thread is free for the next message meanwhile.
 *
 * <p>Recovery runs at start and then on every heartbeat tick: a timer, never a loop. At start, whatever this
 * instance id held counts as expired at once, since nothing of a previous life of this process executes any
 * more: a process restarted with a stable instance id recovers without waiting out the lease. Whatever
 * executes in this process is never recovered by it.
 */
final class Recovery implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    /** What recovery asks of the scheduler: a port it implements, so calls go one way (scheduler → recovery). */
    interface Runs {
        boolean isClosed();

        void resumePending();

        void renewLeases();

        void sweepStranded();

        void recoverRun(Run seen);

        void scheduleReport(Operation op);
    }

    private final Runs scheduler;
    private final RunStore runs;
    private final OperationStore operations;
    private final OperationRunner runner;
    private final ThreadStore threads;
    private final Function<UUID, AgentGraph> graphs;
    private final Clock clock;
    private final String owner;
    private final Duration lease;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            java.lang.Thread.ofPlatform().daemon().name("switchboard-heartbeat").factory());

    Recovery(Runs scheduler, RunStore runs, OperationStore operations, OperationRunner runner,
            ThreadStore threads, Function<UUID, AgentGraph> graphs, Clock clock, String owner, Duration lease) {
        this.scheduler = scheduler;
        this.runs = runs;
        this.operations = operations;
        this.runner = runner;
        this.threads = threads;
        this.graphs = graphs;
        this.clock = clock;
        this.owner = owner;
        this.lease = lease;
    }

    /** Recovers what the start finds, starts pending runs, then ticks every lease/3. */
    void start() {
        sweep(true);
        scheduler.resumePending();
        long period = Math.max(1, lease.toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    /** Heartbeat first (this instance's own claims matter most), then recovery of others' expired ones. */
    private void tick() {
        if (scheduler.isClosed()) {
            return;
        }
        // Each step on its own: a failing one (the database briefly away) must not stop the others or the timer.
        try {
            scheduler.renewLeases();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not renew the leases of this instance's runs", e);
        }
        try {
            runner.heartbeat();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not renew the leases of this instance's operations", e);
        }
        try {
            sweep(false);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "crash recovery failed this time; the next tick tries again", e);
        }
        try {
            scheduler.sweepStranded();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the sweep for stranded pending runs failed this time; the next tick tries again", e);
        }
    }

    private void sweep(boolean atStart) {
        Instant now = clock.instant();
        for (Run run : runs.running()) {
            if (scheduler.isClosed()) {
                return;
            }
            if (ownerIsGone(run.owner(), run.leaseExpired(now), atStart)) {
                try {
                    scheduler.recoverRun(run);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not recover run " + run.runId(), e);
                }
            }
        }
        for (Operation op : operations.inFlight()) {
            if (scheduler.isClosed()) {
                return;
            }
            if (!runner.isExecuting(op.operationId()) && ownerIsGone(op.owner(), op.leaseExpired(now), atStart)) {
                try {
                    recoverOperation(op);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not recover operation " + op.operationId(), e);
                }
            }
        }
        for (Operation op : operations.unreported()) {
            if (scheduler.isClosed()) {
                return;
            }
            // One that just ended is being reported by whoever ended it; only a forgotten one needs help.
            boolean forgotten = atStart || op.updatedAt().isBefore(now.minus(lease));
            boolean awaited = runs.get(op.runId()).map(r -> r.status().isActive()).orElse(false);
            if (forgotten && !awaited) {
                scheduler.scheduleReport(op);
            }
        }
    }

    private boolean ownerIsGone(String heldBy, boolean leaseExpired, boolean atStart) {
        return leaseExpired || (atStart && owner.equals(heldBy));
    }

    private void recoverOperation(Operation op) {
        Tool tool = null;
        ObjectNode configurable = null;
        try {
            // The graph of the run that started it; of the thread's assistant when that run is gone (rolled back).
            Optional<Run> run = runs.get(op.runId());
            AgentGraph graph = run.isPresent() ? graphs.apply(run.get().assistantId()) : graphOfThread(op.threadId());
            if (graph != null) {
                tool = graph.tool(op.toolName()).filter(t -> t.spec().kind() == ToolKind.LONG_RUNNING).orElse(null);
                if (run.isPresent()) {
                    configurable = LoopSteps.configurable(run.get(), graph);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "cannot find the tool of operation " + op.operationId(), e);
        }
        if (configurable == null) {
            // The run that started it is gone (rolled back): the tool gets what identifies the conversation.
            configurable = Json.object();
            configurable.put("thread_id", op.threadId().toString());
            configurable.put("run_id", op.runId().toString());
            ArrayNode ns = configurable.putArray("namespace_for_memory");
            op.namespace().forEach(ns::add);
        }
        // The operation acts for the user it was started for, whatever config the run (or its absence) gives.
        if (op.userId() != null) {
            configurable.put(Operation.USER_KEY, op.userId());
        }
        runner.recover(op, tool, configurable, new OperationRunner.Listener() {
            @Override
            public void progress(Operation progressed) {
                // no run streams a recovered operation; its progress is in the store
            }

            @Override
            public void ended(Operation finished) {
                // No run awaits a recovered operation: a report run writes its outcome and the answer.
                if (!scheduler.isClosed()) {
                    scheduler.scheduleReport(finished);
                }
            }
        });
    }

    private AgentGraph graphOfThread(UUID threadId) {
        JsonNode assistant = threads.get(threadId).map(t -> t.metadata().get("assistant_id")).orElse(null);
        if (assistant == null || !assistant.isTextual()) {
            return null;
        }
        return graphs.apply(UUID.fromString(assistant.asText()));
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
    }
}

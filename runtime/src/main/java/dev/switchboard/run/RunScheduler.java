package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.store.ItemStore;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admits, starts, cancels and finishes runs; at most one run per thread and lane is running.
 *
 * <p>Each thread has a slot whose lock serialises every decision about that thread. A run's life here:
 * <pre>
 *   admit      (slot lock) store.admit inserts it pending under its strategy; its event log opens;
 *              interrupt/rollback cancel every active run of the lane; then startNext
 *   startNext  (slot lock) store.claimNext marks the oldest pending run running if none is; it executes on
 *              a new virtual thread
 *   cancel     (slot lock) a pending run ends at once (interrupted, or deleted on rollback) and its log ends;
 *              a running run is marked with the action and its virtual thread interrupted
 *   finish     (slot lock, on the run's own thread) status written, state fixed up, log ended, then startNext
 *   lost       (slot lock) the run's lease was taken over by another instance (see {@link Recovery}): the run
 *              is interrupted here and its finish writes nothing; the recoverer has ended it already
 *   recover    (slot lock) a run whose owner died: taken over, dangling tool calls closed, interrupted, then
 *              startNext
 * </pre>
 * A cancelled run's log therefore ends before its successor is even claimed, so no event of the old run can
 * follow the first event of the new one. Nothing polls: a queued run is started by the finish of the run
 * before it, on that run's thread. Methods ending in {@code Locked} require the slot lock.
 *
 * <p>A claimed run is held by this instance under a lease that {@link Recovery}'s heartbeat extends. Its end
 * is written with {@link RunStore#finish}, which refuses a stale owner; its checkpoints are written only while
 * the lease, as this instance last renewed it, has not run out ({@link #checkLease}), so an instance cut off
 * from the database stops writing by the time another may take its runs over.
 */
public final class RunScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunScheduler.class.getName());

    private final RunStore runs;
    private final ThreadStore threads;
    private final CheckpointStore checkpoints;
    private final EventBus events;
    private final Clock clock;
    private final Function<UUID, AgentGraph> graphs;
    private final AgentLoop loop;
    private final ConcurrentHashMap<UUID, ThreadSlot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, CompletableFuture<Optional<Run>>> completions = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final java.util.concurrent.ScheduledExecutorService timers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    java.lang.Thread.ofPlatform().daemon().name("switchboard-run-timers").factory());

    private final Lanes lanes;
    private final OperationStore operations;
    private volatile RunListener listener = RunListener.NONE;
    private final String owner;
    private final Duration lease;
    /** Runs executing here under this instance's lease, by run id; readable without the slot lock. */
    private final ConcurrentHashMap<UUID, Execution> leased = new ConcurrentHashMap<>();
    private final Recovery recovery;

    /** Installs the listener that sees admissions and ends (one; the last installed wins). */
    public void listen(RunListener runListener) {
        this.listener = java.util.Objects.requireNonNull(runListener);
    }

    public RunScheduler(RunStore runs, ThreadStore threads, CheckpointStore checkpoints, EventBus events, Clock clock,
            Function<UUID, AgentGraph> graphs, int maxHistory, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, ItemStore store, Duration secondaryWait, String owner, Duration lease) {
        this.owner = java.util.Objects.requireNonNull(owner, "owner");
        this.lease = java.util.Objects.requireNonNull(lease, "lease");
        this.runs = runs;
        this.threads = threads;
        this.checkpoints = checkpoints;
        this.events = events;
        this.clock = clock;
        this.graphs = graphs;
        this.operations = operations;
        this.lanes = new Lanes(store, clock);
        this.loop = new AgentLoop(checkpoints, operations, runner, operationTools, lanes, clock, maxHistory,
                secondaryWait, this);
        this.recovery = new Recovery(this, runs, operations, runner, threads, graphs, clock, owner, lease);
    }

    /**
     * Recovers what dead instances left behind (at start also what this instance id held in a previous life),
     * reports ended operations nobody reported, starts pending runs, and from then on keeps this instance's
     * leases alive and recovers expired ones. Call once, before serving.
     */
    public void start() {
        recovery.start();
    }

    private volatile dev.switchboard.cluster.Cluster cluster = dev.switchboard.cluster.Cluster.LOCAL;

    /**
     * Joins the other instances of a deployment: cancels and double-texts for runs they execute reach them, and
     * a thread freed here wakes them. Signals are hints; the store stays the truth.
     */
    public void joinCluster(dev.switchboard.cluster.Cluster signals) {
        this.cluster = signals;
        signals.listen(new dev.switchboard.cluster.Cluster.Listener() {
            @Override
            public void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
                ThreadSlot slot = slot(threadId);
                slot.lock.lock();
                try {
                    if (slot.executing.containsKey(runId)) {
                        cancelLocked(slot, runId, action, supersededBy);
                    }
                } finally {
                    slot.lock.unlock();
                }
            }

            @Override
            public void follow(UUID runId) {
                relayIfLocal(runId);
            }

            @Override
            public void relayed(UUID runId, long sequence, String event) {
                mirror(runId, sequence, event);
            }

            @Override
            public void wake(UUID threadId) {
                ThreadSlot slot = slot(threadId);
                slot.lock.lock();
                try {
                    for (Lane lane : Lane.values()) {
                        startNextLocked(slot, threadId, lane);
                    }
                } finally {
                    slot.lock.unlock();
                }
            }
        });
    }

    /**
     * The lane a new message on {@code threadId} runs on: {@code thread_type} {@code main} or {@code secondary}
     * as given; {@code auto} (or absent) is the secondary lane while this thread's main run awaits an operation.
     */
    public Lane route(UUID threadId, ObjectNode configurable, String threadType) {
        return lanes.route(threadId, AgentLoop.namespaceOf(configurable, threadId), threadType);
    }

    /**
     * Queues a report run for an operation whose run no longer awaits it, so its outcome reaches the thread as
     * a tool result and an answer. Idempotent while such a run is pending or running.
     */
    void scheduleReport(Operation op) {
        Optional<ConversationThread> thread = threads.get(op.threadId());
        JsonNode assistant = thread.map(t -> t.metadata().get("assistant_id")).orElse(null);
        if (thread.isEmpty() || assistant == null || assistant.isNull()) {
            operations.update(op.operationId(), o -> o.withReported(clock.instant()));
            return;
        }
        boolean queued = runs.active(op.threadId(), Lane.MAIN).stream().anyMatch(r -> op.operationId().toString()
                .equals(r.input().path(AgentLoop.OPERATION_REPORT).asText(null)));
        if (queued) {
            return;
        }
        ObjectNode kwargs = Json.object();
        kwargs.putObject("input").put(AgentLoop.OPERATION_REPORT, op.operationId().toString());
        ObjectNode reportConfigurable = kwargs.putObject("config").putObject("configurable");
        ArrayNode ns = reportConfigurable.putArray("namespace_for_memory");
        op.namespace().forEach(ns::add);
        if (op.userId() != null) {
            // The report run acts for the operation's user too, should its answer call a tool.
            reportConfigurable.put(Operation.USER_KEY, op.userId());
        }
        kwargs.putArray("stream_mode").add("values");
        ObjectNode metadata = Json.object();
        metadata.put("kind", "operation_report");
        metadata.put("operation_id", op.operationId().toString());
        var now = clock.instant();
        try {
            Run report = admit(new Run(dev.switchboard.Ids.newId(), op.threadId(), UUID.fromString(assistant.asText()),
                    now, now, RunStatus.PENDING, metadata, kwargs, MultitaskStrategy.ENQUEUE, Lane.MAIN),
                    SupersededInput.DROP);
            dev.switchboard.operation.LaneLog.step("report-queued", "operation", op.operationId(), "run", report.runId());
        } catch (SwitchboardException.Unavailable shuttingDown) {
            // recovery at the next start reports it
        }
    }

    /** Stops a secondary run that outlived the main run's wait; its question is kept for the synthesis. */
    void abortSecondary(UUID threadId, UUID runId, Duration wait) throws InterruptedException {
        try {
            cancel(threadId, runId, CancelAction.INTERRUPT, wait);
        } catch (TimeoutException | SwitchboardException.NotFound e) {
            LOG.warning("secondary run " + runId + " did not stop after its abort: " + e.getMessage());
        }
    }

    /**
     * Secondary messages still queued when the lane closes are not dropped: their questions join the interim
     * exchange (the synthesis answers them) and their runs end interrupted.
     */
    void foldPendingSecondary(UUID threadId, Lanes.Conversation conversation) {
        ThreadSlot slot = slot(threadId);
        slot.lock.lock();
        try {
            for (Run pending : runs.active(threadId, Lane.SECONDARY)) {
                if (pending.status() != RunStatus.PENDING) {
                    continue;
                }
                List<Message> questions = new ArrayList<>();
                for (Message m : AgentLoop.inputMessages(pending.input())) {
                    questions.add(m.withAdditionalKwarg("lane", com.fasterxml.jackson.databind.node.TextNode.valueOf("secondary")));
                }
                lanes.appendInterim(conversation, questions, () -> { });
                dev.switchboard.operation.LaneLog.step("secondary-folded", "run", pending.runId());
                cancelLocked(slot, pending.runId(), CancelAction.INTERRUPT, null);
            }
        } finally {
            slot.lock.unlock();
        }
    }

    private static final class ThreadSlot {
        final ReentrantLock lock = new ReentrantLock();
        /**
         * Serialises every read-modify-write of the thread's checkpoints (the main lane's steps, secondary
         * commits, rollback deletions, interrupt fix-ups), so no writer builds on a state another just replaced.
         * Taken after {@link #lock} or a conversation's lock, never before them.
         */
        final ReentrantLock stateLock = new ReentrantLock();
        /** Runs of this thread executing in this process, by run id. Guarded by {@link #lock}. */
        final Map<UUID, Execution> executing = new HashMap<>();
    }

    /** A run executing on a virtual thread of this process. Fields guarded by its slot's lock. */
    private static final class Execution {
        final Run run;
        final EventLog log;
        java.lang.Thread worker;
        /** Until when this instance's lease holds, as last claimed or renewed. */
        volatile java.time.Instant leaseUntil;
        /** Another instance took the run over; set under the slot lock. */
        volatile boolean lost;
        CancelAction cancelAction;
        UUID supersededBy;
        boolean finishing;
        long cancelRequestedNanos;

        Execution(Run run, EventLog log) {
            this.run = run;
            this.log = log;
            this.leaseUntil = run.leaseUntil();
        }
    }

    private enum Outcome { COMPLETED, CANCELLED, FAILED }

    java.util.concurrent.locks.Lock stateLock(UUID threadId) {
        return slot(threadId).stateLock;
    }

    private ThreadSlot slot(UUID threadId) {
        return slots.computeIfAbsent(threadId, id -> new ThreadSlot());
    }

    /**
     * Admits {@code candidate} under its multitask strategy. Returns the admitted run (already running if the
     * thread was free). {@code reject} with an active run throws {@link SwitchboardException.Conflict}.
     */
    public Run admit(Run candidate, SupersededInput superseded) {
        if (closed) {
            throw new SwitchboardException.Unavailable("the server is shutting down");
        }
        ObjectNode stamped = candidate.kwargs();
        stamped.put("origin_instance", owner);
        candidate = candidate.withKwargs(stamped);
        ThreadSlot slot = slot(candidate.threadId());
        slot.lock.lock();
        try {
            completions.put(candidate.runId(), new CompletableFuture<>());
            RunStore.Admission admission;
            try {
                admission = runs.admit(candidate, (c, active) -> admissionRule(c, active, superseded));
            } catch (RuntimeException e) {
                completions.remove(candidate.runId());
                throw e;
            }
            Run admitted = admission.admitted();
            events.open(admitted.runId(), admitted.threadId());
            listener.admitted(admitted, admission.activeBefore());
            MultitaskStrategy strategy = admitted.multitaskStrategy();
            if (strategy == MultitaskStrategy.INTERRUPT || strategy == MultitaskStrategy.ROLLBACK) {
                CancelAction action = strategy == MultitaskStrategy.INTERRUPT ? CancelAction.INTERRUPT : CancelAction.ROLLBACK;
                for (Run active : admission.activeBefore()) {
                    cancelLocked(slot, active.runId(), action, admitted.runId());
                }
            }
            if (admitted.lane() == Lane.MAIN) {
                refreshThreadLocked(admitted.threadId(), null);
            }
            startNextLocked(slot, admitted.threadId(), admitted.lane());
            return runs.get(admitted.runId()).orElse(admitted);
        } finally {
            slot.lock.unlock();
        }
    }

    private static Run admissionRule(Run candidate, List<Run> active, SupersededInput superseded) {
        if (active.isEmpty()) {
            return candidate;
        }
        return switch (candidate.multitaskStrategy()) {
            case REJECT -> throw SwitchboardException.Conflict.threadBusy(candidate.threadId());
            case ENQUEUE, INTERRUPT -> candidate;
            case ROLLBACK -> superseded == SupersededInput.CARRY ? carryOver(candidate, active) : candidate;
        };
    }

    /** The new run's input becomes the cancelled runs' user messages followed by its own. */
    private static Run carryOver(Run candidate, List<Run> active) {
        List<Message> carried = new ArrayList<>();
        ArrayNode supersededIds = Json.array();
        for (Run old : active) {
            supersededIds.add(old.runId().toString());
            for (Message m : AgentLoop.inputMessages(old.input())) {
                if (m instanceof HumanMessage) {
                    carried.add(m);
                }
            }
        }
        JsonNode input = candidate.input();
        List<Message> own = AgentLoop.inputMessages(input);
        ObjectNode newInput = input.isObject() ? ((ObjectNode) input).deepCopy() : Json.object();
        List<Message> all = new ArrayList<>(carried);
        all.addAll(own);
        newInput.set("messages", MessageJson.toJson(all));
        ObjectNode kwargs = candidate.kwargs();
        kwargs.set("input", newInput);
        kwargs.set("superseded_runs", supersededIds);
        return candidate.withKwargs(kwargs);
    }

    /**
     * Cancels a run of a thread. A finished run is left as it is. Returns the run as it stands after the
     * request (empty if it was deleted); with {@code wait}, blocks until a running run has finished.
     */
    public Optional<Run> cancel(UUID threadId, UUID runId, CancelAction action, Duration wait)
            throws InterruptedException, TimeoutException {
        ThreadSlot slot = slot(threadId);
        slot.lock.lock();
        try {
            Run run = runs.get(runId).filter(r -> r.threadId().equals(threadId))
                    .orElseThrow(() -> SwitchboardException.NotFound.of("Run", runId));
            if (run.status().isActive()) {
                cancelLocked(slot, runId, action, null);
            }
        } finally {
            slot.lock.unlock();
        }
        return wait == null ? runs.get(runId) : await(runId, wait);
    }

    private void cancelLocked(ThreadSlot slot, UUID runId, CancelAction action, UUID supersededBy) {
        Execution ex = slot.executing.get(runId);
        if (ex != null) {
            if (ex.finishing) {
                return;
            }
            if (ex.cancelAction == null || action == CancelAction.ROLLBACK) {
                ex.cancelAction = action;
                ex.supersededBy = supersededBy;
            }
            if (ex.cancelRequestedNanos == 0) {
                ex.cancelRequestedNanos = System.nanoTime();
            }
            ex.worker.interrupt();
            return;
        }
        Optional<Run> found = runs.get(runId);
        if (found.isPresent() && found.get().status() == RunStatus.RUNNING) {
            // Executing on another instance: tell it; its own finish applies the action.
            cluster.cancel(found.get().threadId(), runId, action, supersededBy);
            return;
        }
        if (found.isEmpty() || found.get().status() != RunStatus.PENDING) {
            return;
        }
        Run pending = found.get();
        EventLog log = events.open(pending.runId(), pending.threadId());
        Optional<Run> result;
        if (action == CancelAction.ROLLBACK) {
            // Interrupt first (only if still pending), then delete: a run another instance claimed meanwhile is left alone.
            if (runs.transition(runId, RunStatus.PENDING, RunStatus.INTERRUPTED).isEmpty()) {
                return;
            }
            runs.delete(runId);
            result = Optional.empty();
        } else {
            result = runs.transition(runId, RunStatus.PENDING, RunStatus.INTERRUPTED);
            if (result.isEmpty()) {
                return;
            }
        }
        endCancelled(log, pending, action, supersededBy);
        if (pending.lane() == Lane.MAIN) {
            refreshThreadLocked(pending.threadId(), result.orElse(null));
        }
        complete(runId, result);
        listener.ended(pending, result.map(Run::status).orElse(null), null);
        reportOrphanedOperations(pending, false);
    }

    private void startNextLocked(ThreadSlot slot, UUID threadId, Lane lane) {
        startNextLocked(slot, threadId, lane, false);
    }

    private final java.util.Set<UUID> relaying = ConcurrentHashMap.newKeySet();

    /** Another instance joins a run executing here: its log, from the start, goes out over the cluster. */
    private void relayIfLocal(UUID runId) {
        Optional<EventLog> log = events.find(runId);
        if (log.isEmpty() || !relaying.add(runId)) {
            return;
        }
        java.lang.Thread.ofVirtual().name("relay-" + runId).start(() -> {
            try (dev.switchboard.event.Subscription sub = log.get().subscribe(-1)) {
                while (!sub.isFinished()) {
                    Optional<dev.switchboard.event.SequencedEvent> next = sub.next(Duration.ofMinutes(30));
                    if (next.isEmpty()) {
                        continue;
                    }
                    cluster.relay(runId, next.get().sequence(),
                            dev.switchboard.Json.write(dev.switchboard.event.RunEventCodec.encode(next.get().event())));
                }
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            } finally {
                relaying.remove(runId);
            }
        });
    }

    /**
     * The local mirror of a run executing on another instance, filled by its relayed events in order; a join
     * here reads it like any log. An event already mirrored (a second follower asked) is skipped.
     */
    private void mirror(UUID runId, long sequence, String event) {
        RunEvent decoded = dev.switchboard.event.RunEventCodec.decode(dev.switchboard.Json.parse(event));
        UUID threadId = decoded instanceof RunEvent.Metadata m ? m.threadId() : null;
        EventLog log = events.find(runId).orElseGet(() -> events.open(runId, threadId));
        if (log.isClosed() || sequence != log.lastSequence() + 1) {
            return;
        }
        log.publish(decoded);
    }

    /**
     * A join on a run that executes on another instance: asks that instance to relay and answers the local
     * mirror log (empty until the first relayed event arrives).
     */
    public EventLog followRemote(Run run) {
        EventLog mirror = events.open(run.runId(), run.threadId());
        cluster.follow(run.runId());
        return mirror;
    }

    /**
     * Starts the thread's next run here. A run admitted by another instance is left to that instance, whose
     * clients stream it: it is woken, and only if the run is still pending a third of a lease later (its
     * admitter is gone) does this instance take it ({@code anyOrigin}).
     */
    private void startNextLocked(ThreadSlot slot, UUID threadId, Lane lane, boolean anyOrigin) {
        if (closed) {
            return;
        }
        if (!anyOrigin) {
            var now = clock.instant();
            Optional<Run> first = runs.active(threadId, lane).stream()
                    .filter(r -> r.status() == RunStatus.PENDING && r.isDue(now)).findFirst();
            String origin = first.map(r -> r.kwargs().path("origin_instance").asText(owner)).orElse(owner);
            boolean othersRunning = runs.active(threadId, lane).stream().anyMatch(r -> r.status() == RunStatus.RUNNING);
            if (!origin.equals(owner) && !othersRunning) {
                cluster.wake(threadId);
                timers.schedule(() -> {
                    ThreadSlot s2 = slot(threadId);
                    s2.lock.lock();
                    try {
                        startNextLocked(s2, threadId, lane, true);
                    } finally {
                        s2.lock.unlock();
                    }
                }, Math.max(1, lease.toMillis() / 3), TimeUnit.MILLISECONDS);
                return;
            }
        }
        Optional<Run> next = runs.claimNext(threadId, lane, owner, clock.instant().plus(lease));
        if (next.isEmpty()) {
            armTimerForDelayedRunLocked(threadId, lane);
            return;
        }
        Run run = next.get();
        Execution ex = new Execution(run, events.open(run.runId(), run.threadId()));
        slot.executing.put(run.runId(), ex);
        leased.put(run.runId(), ex);
        ex.worker = java.lang.Thread.ofVirtual().name("run-" + run.runId()).unstarted(() -> execute(slot, ex));
        ex.worker.start();
    }

    /**
     * A pending run with {@code after_seconds} is started by a one-shot timer at its due time (or earlier, by
     * the end of the run before it); nothing polls for it.
     */
    private void armTimerForDelayedRunLocked(UUID threadId, Lane lane) {
        List<Run> active = runs.active(threadId, lane);
        if (active.stream().anyMatch(r -> r.status() == RunStatus.RUNNING)) {
            return; // that run's end starts the next one
        }
        // Every delayed pending run counts, due or not: a timer that fired a hair early by the wall clock must
        // re-arm even if the clock says "due" by the time this runs.
        var now = clock.instant();
        active.stream()
                .map(Run::notBefore)
                .filter(java.util.Objects::nonNull)
                .min(java.util.Comparator.naturalOrder())
                .ifPresent(due -> timers.schedule(() -> {
                    ThreadSlot slot = slot(threadId);
                    slot.lock.lock();
                    try {
                        startNextLocked(slot, threadId, lane);
                    } finally {
                        slot.lock.unlock();
                    }
                }, Math.max(1, java.time.Duration.between(now, due).toMillis()), TimeUnit.MILLISECONDS));
    }

    private void execute(ThreadSlot slot, Execution ex) {
        Outcome outcome;
        Throwable failure = null;
        try {
            AgentGraph graph = graphs.apply(ex.run.assistantId());
            loop.execute(ex.run, graph, ex.log);
            outcome = Outcome.COMPLETED;
        } catch (InterruptedException e) {
            outcome = Outcome.CANCELLED;
        } catch (Exception | StackOverflowError e) {
            outcome = Outcome.FAILED;
            failure = e;
        }
        finish(slot, ex, outcome, failure);
    }

    private void finish(ThreadSlot slot, Execution ex, Outcome outcome, Throwable failure) {
        Run run = ex.run;
        slot.lock.lock();
        try {
            ex.finishing = true;
            // A cancel that arrived after the loop's last blocking call must not leak into the writes below.
            java.lang.Thread.interrupted();
            CancelAction action = ex.cancelAction;
            if (ex.lost || failure instanceof LeaseLost || !holdsLeaseLocally(ex)
                    || (action == CancelAction.ROLLBACK && !heldInStore(run))) {
                dropLostLocked(slot, ex);
                return;
            }
            Optional<Run> result;
            if (action == CancelAction.ROLLBACK) {
                loop.deleteRunCheckpoints(run);
                runs.delete(run.runId());
                // The log stays retained: a client that reconnects still learns why its stream ended.
                endCancelled(ex.log, run, action, ex.supersededBy);
                result = Optional.empty();
            } else if (outcome == Outcome.CANCELLED || (action == CancelAction.INTERRUPT && outcome == Outcome.FAILED)) {
                if (run.lane() == Lane.MAIN) {
                    loop.closeDanglingToolCalls(run);
                }
                endCancelled(ex.log, run, CancelAction.INTERRUPT, ex.supersededBy);
                result = runs.finish(run.runId(), owner, RunStatus.INTERRUPTED);
            } else if (outcome == Outcome.COMPLETED) {
                // The stream ends before the status turns terminal: whoever sees a finished run sees an ended stream.
                ex.log.close();
                result = runs.finish(run.runId(), owner, RunStatus.SUCCESS);
            } else {
                LOG.log(Level.WARNING, "run " + run.runId() + " failed", failure);
                String name = failure instanceof AgentLoop.RecursionLimitException r ? r.errorName()
                        : failure.getClass().getSimpleName();
                ex.log.publish(new RunEvent.Error(name, String.valueOf(failure.getMessage())));
                ex.log.close();
                result = runs.finish(run.runId(), owner, RunStatus.ERROR);
            }
            if (result.isEmpty() && action != CancelAction.ROLLBACK && runs.get(run.runId()).isPresent()) {
                // The fenced write was refused: another instance took the run over and ends it.
                dropLostLocked(slot, ex);
                return;
            }
            slot.executing.remove(run.runId());
            leased.remove(run.runId());
            listener.ended(run, action == CancelAction.ROLLBACK ? null : result.map(Run::status).orElse(null),
                    ex.cancelRequestedNanos == 0 ? null : Duration.ofNanos(System.nanoTime() - ex.cancelRequestedNanos));
            if (run.lane() == Lane.MAIN) {
                refreshThreadLocked(run.threadId(), result.orElse(null));
            }
            if (outcome != Outcome.COMPLETED || action != null) {
                reportOrphanedOperations(run, outcome == Outcome.FAILED && action == null);
            }
            startNextLocked(slot, run.threadId(), run.lane());
            // Last, so that whoever awaits this run sees the thread as the run left it.
            complete(run.runId(), result);
        } catch (LeaseLost e) {
            dropLostLocked(slot, ex);
        } catch (RuntimeException e) {
            // The store failed while finishing: the run stays as the store has it; never leave waiters hanging.
            LOG.log(Level.SEVERE, "could not finish run " + run.runId(), e);
            slot.executing.remove(run.runId());
            leased.remove(run.runId());
            ex.log.close();
            complete(run.runId(), storedOr(run));
        } finally {
            slot.lock.unlock();
        }
    }

    /** True while this instance's lease on the run, as it last claimed or renewed it, has not run out. */
    private boolean holdsLeaseLocally(Execution ex) {
        return !ex.lost && ex.leaseUntil != null && clock.instant().isBefore(ex.leaseUntil);
    }

    /** The store still shows the run running under this instance (a rollback deletes without a fenced write). */
    private boolean heldInStore(Run run) {
        return runs.get(run.runId()).filter(r -> r.status() == RunStatus.RUNNING && owner.equals(r.owner())).isPresent();
    }

    /**
     * For every checkpoint write of a run executing here: refuses it once the run was taken over or this
     * instance's lease on it ran out without a renewal (cut off from the database, or paused), because another
     * instance may have recovered the run by now.
     */
    void checkLease(UUID runId) {
        Execution ex = leased.get(runId);
        if (ex != null && !holdsLeaseLocally(ex)) {
            throw new LeaseLost(runId);
        }
    }

    /** A run another instance took over: nothing more is written for it here; whoever awaits it here is released. */
    private void dropLostLocked(ThreadSlot slot, Execution ex) {
        UUID runId = ex.run.runId();
        slot.executing.remove(runId);
        leased.remove(runId);
        LOG.warning("run " + runId + " lost its lease to another instance; its outcome here is dropped");
        if (!ex.log.isClosed()) {
            ObjectNode why = Json.object();
            why.put("type", "run_lease_lost");
            why.put("run_id", runId.toString());
            why.put("reason", "this server instance lost the run's lease; another instance recovered the run");
            ex.log.publish(new RunEvent.Custom(why));
            ex.log.close();
        }
        complete(runId, storedOr(ex.run));
    }

    /** The run as the store has it, or as this instance last knew it when the store cannot be reached. */
    private Optional<Run> storedOr(Run run) {
        try {
            return runs.get(run.runId());
        } catch (RuntimeException unreachable) {
            return Optional.of(run);
        }
    }

    /**
     * The heartbeat for runs: extends this instance's lease on every run executing here. A run the store no
     * longer shows as this instance's was taken over; it is interrupted and its finish writes nothing.
     */
    void renewLeases() {
        if (leased.isEmpty()) {
            return;
        }
        List<UUID> ids = List.copyOf(leased.keySet());
        java.time.Instant until = clock.instant().plus(lease);
        java.util.Set<UUID> held = runs.renewLeases(owner, ids, until);
        for (UUID id : ids) {
            Execution ex = leased.get(id);
            if (ex == null) {
                continue;
            }
            if (held.contains(id)) {
                ex.leaseUntil = until;
                continue;
            }
            ThreadSlot slot = slot(ex.run.threadId());
            slot.lock.lock();
            try {
                if (slot.executing.get(id) == ex && !ex.finishing && !ex.lost) {
                    LOG.warning("run " + id + " was taken over by another instance; stopping it here");
                    ex.lost = true;
                    ex.worker.interrupt();
                }
            } finally {
                slot.lock.unlock();
            }
        }
    }

    /**
     * Crash recovery of a run whose owner's lease expired, as {@code seen} in the store: takes it over (unless
     * another recoverer was faster or it moved on), closes its dangling tool calls (an operation still in flight
     * is answered "running in the background", and reported when it ends), ends it interrupted, frees the
     * thread and starts the next pending run.
     */
    void recoverRun(Run seen) {
        ThreadSlot slot = slot(seen.threadId());
        slot.lock.lock();
        try {
            if (closed || slot.executing.containsKey(seen.runId())) {
                return;
            }
            Optional<Run> taken = runs.takeOver(seen, owner, clock.instant().plus(lease));
            if (taken.isEmpty()) {
                return;
            }
            Run run = taken.get();
            LOG.info("recovering run " + run.runId() + " of thread " + run.threadId() + " (held by " + seen.owner()
                    + " until " + seen.leaseUntil() + ")");
            if (run.lane() == Lane.MAIN) {
                loop.closeDanglingToolCalls(run);
            } else {
                lanes.endSecondary(lanes.conversation(AgentLoop.namespace(run)), run, true);
            }
            EventLog log = events.open(run.runId(), run.threadId());
            if (!log.isClosed()) {
                ObjectNode why = Json.object();
                why.put("type", "run_interrupted");
                why.put("run_id", run.runId().toString());
                why.put("status", RunStatus.INTERRUPTED.wireName());
                why.put("reason", "the server instance executing this run stopped; it was recovered by another");
                log.publish(new RunEvent.Custom(why));
                log.close();
            }
            Optional<Run> result = runs.finish(run.runId(), owner, RunStatus.INTERRUPTED);
            listener.ended(run, result.map(Run::status).orElse(null), null);
            if (run.lane() == Lane.MAIN) {
                refreshThreadLocked(run.threadId(), result.orElse(null));
            }
            reportOrphanedOperations(run, false);
            startNextLocked(slot, run.threadId(), run.lane());
            complete(run.runId(), result);
        } finally {
            slot.lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * A main run that ended without its answer (cancelled or failed) leaves no operation unreported: every
     * ended operation it started, or was reporting, gets a report run. A report run that itself failed is not
     * retried (its tool result is already in the thread); one that was cancelled is queued again.
     */
    private void reportOrphanedOperations(Run run, boolean failed) {
        if (run.lane() != Lane.MAIN || closed) {
            return;
        }
        String reporting = run.input().path(AgentLoop.OPERATION_REPORT).asText(null);
        for (Operation op : operations.listByThread(run.threadId())) {
            boolean mine = op.runId().equals(run.runId()) || op.operationId().toString().equals(reporting);
            if (!mine || !op.status().isTerminal() || op.reported()) {
                continue;
            }
            if (failed && reporting != null) {
                operations.update(op.operationId(), o -> o.withReported(clock.instant()));
                LOG.warning("the report run for operation " + op.operationId() + " failed; its result stays in the thread");
            } else {
                scheduleReport(op);
            }
        }
    }

    private void endCancelled(EventLog log, Run run, CancelAction action, UUID supersededBy) {
        if (log.isClosed()) {
            return;
        }
        ObjectNode why = Json.object();
        why.put("type", "run_cancelled");
        why.put("run_id", run.runId().toString());
        why.put("action", action.wireName());
        why.put("status", action == CancelAction.ROLLBACK ? "rolled_back" : RunStatus.INTERRUPTED.wireName());
        if (supersededBy != null) {
            why.put("superseded_by", supersededBy.toString());
            why.put("reason", "a newer message on this thread replaced this run (" + action.wireName() + ")");
        } else {
            why.put("reason", "the run was cancelled (" + action.wireName() + ")");
        }
        log.publish(new RunEvent.Custom(why));
        log.close();
    }

    private void complete(UUID runId, Optional<Run> result) {
        CompletableFuture<Optional<Run>> f = completions.remove(runId);
        if (f != null) {
            f.complete(result);
        }
    }

    /**
     * Recomputes a thread's status from its main-lane runs (busy while any is active, else the outcome of the
     * run that just ended) and mirrors its latest checkpoint into {@code values}.
     */
    private void refreshThreadLocked(UUID threadId, Run ended) {
        Optional<ConversationThread> found = threads.get(threadId);
        if (found.isEmpty()) {
            return;
        }
        ThreadStatus status;
        if (!runs.active(threadId, Lane.MAIN).isEmpty()) {
            status = ThreadStatus.BUSY;
        } else if (ended != null && (ended.status() == RunStatus.ERROR || ended.status() == RunStatus.TIMEOUT)) {
            status = ThreadStatus.ERROR;
        } else if (ended == null && found.get().status() == ThreadStatus.ERROR) {
            status = ThreadStatus.ERROR;
        } else {
            status = ThreadStatus.IDLE;
        }
        ObjectNode values = checkpoints.latest(threadId).map(Checkpoint::values).orElse(null);
        threads.update(found.get().withStatus(status, clock.instant()).withValues(values, clock.instant()));
    }

    /**
     * Blocks until the run has ended. Returns its final record, or empty if it was deleted (rolled back).
     * A run that already ended returns at once.
     */
    public Optional<Run> await(UUID runId, Duration timeout) throws InterruptedException, TimeoutException {
        CompletableFuture<Optional<Run>> f = completions.get(runId);
        if (f == null) {
            Optional<Run> run = runs.get(runId);
            if (run.isPresent() && run.get().status().isActive()) {
                // Ending right now; its completion was removed a moment ago or the run is another process's.
                f = completions.get(runId);
                if (f == null) {
                    return run;
                }
            } else {
                return run;
            }
        }
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Starts whatever is pending in the store (after a restart); runs already running elsewhere are left alone. */
    public void resumePending() {
        for (Run pending : runs.pending()) {
            ThreadSlot slot = slot(pending.threadId());
            slot.lock.lock();
            try {
                completions.computeIfAbsent(pending.runId(), id -> new CompletableFuture<>());
                events.open(pending.runId(), pending.threadId());
                startNextLocked(slot, pending.threadId(), pending.lane(), true);
            } finally {
                slot.lock.unlock();
            }
        }
    }

    /** Cancels every active run of a thread (before the thread is deleted) and waits for them to end. */
    public void cancelAll(UUID threadId, CancelAction action, Duration wait) throws InterruptedException {
        ThreadSlot slot = slot(threadId);
        List<UUID> ids = new ArrayList<>();
        slot.lock.lock();
        try {
            for (Lane lane : Lane.values()) {
                for (Run r : runs.active(threadId, lane)) {
                    ids.add(r.runId());
                    cancelLocked(slot, r.runId(), action, null);
                }
            }
        } finally {
            slot.lock.unlock();
        }
        for (UUID id : ids) {
            try {
                await(id, wait);
            } catch (TimeoutException e) {
                LOG.warning("run " + id + " did not end within " + wait + " after a cancel");
            }
        }
    }

    /** Forgets a deleted thread's slot. */
    public void forgetThread(UUID threadId) {
        slots.remove(threadId);
    }

    /** True while some run of the thread executes in this process. */
    public boolean isExecuting(UUID threadId) {
        ThreadSlot slot = slots.get(threadId);
        if (slot == null) {
            return false;
        }
        slot.lock.lock();
        try {
            return !slot.executing.isEmpty();
        } finally {
            slot.lock.unlock();
        }
    }

    /**
     * The first half of a graceful stop: no run is admitted or started any more, and the runs executing here get
     * up to {@code grace} to finish on their own. Queued runs stay pending in the store for the next start.
     */
    public void drain(Duration grace) throws InterruptedException {
        closed = true;
        List<java.lang.Thread> workers = new ArrayList<>();
        for (ThreadSlot slot : slots.values()) {
            slot.lock.lock();
            try {
                slot.executing.values().forEach(ex -> workers.add(ex.worker));
            } finally {
                slot.lock.unlock();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (java.lang.Thread worker : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            worker.join(Duration.ofNanos(left));
        }
    }

    /** Stops taking runs and interrupts every executing run; they end as interrupted. */
    @Override
    public void close() {
        closed = true;
        recovery.close();
        timers.shutdownNow();
        List<Execution> all = new ArrayList<>();
        for (ThreadSlot slot : slots.values()) {
            slot.lock.lock();
            try {
                all.addAll(slot.executing.values());
                for (Execution ex : slot.executing.values()) {
                    if (!ex.finishing) {
                        ex.worker.interrupt();
                    }
                }
            } finally {
                slot.lock.unlock();
            }
        }
        for (Execution ex : all) {
            try {
                ex.worker.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

package dev.switchboard.operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.cluster.Cluster;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Executes long-running tools as operations, each on its own virtual thread, independent of the run that
 * started it: cancelling or rolling back that run never stops the operation.
 *
 * <p>Why this class is longer than ~400 lines: it owns one state machine, an operation's execution here
 * (claim → progress → point of no return → end, with cancel, lease loss and recovery as its other edges), and the
 * {@code ToolContext} a tool reports through is part of it, under the same lock. Splitting the context out would
 * lend that lock to another class.
 *
 * <p>Cancellation and the point of no return meet under the execution's lock: a progress report at or past
 * the tool's {@code pointOfNoReturn} commits the operation, after which a cancel is refused; a cancel before
 * that marks the operation and interrupts its thread, and the tool's next blocking call or progress report
 * throws. A tool must therefore apply its side effect only after its progress report for the point of no
 * return has returned.
 *
 * <p>Every operation executing here is held by this instance ({@code owner}) under a lease, so that another
 * instance can recover it if this one dies. The lease's life, written once:
 * <pre>
 *   start      claims it: owner = this instance, lease = now + lease; an operation another instance holds
 *              under a live lease, or one that already ended, is not executed here
 *   heartbeat  every lease/3 extends the leases of the operations executing here; one that is no longer this
 *              instance's (a recoverer took it after its lease expired) is lost: its thread is interrupted
 *   progress   and the final write are fenced: they happen only while this instance is the owner. A lost
 *   finish     operation stops at its next progress report and leaves without a write; its future completes
 *              with the operation as the store has it, and its new owner reports its end
 *   recover    takes over an operation whose lease expired (a compare-and-set on owner and lease end as seen),
 *              then resumes it with the same idempotency key if its tool is idempotent, ends it cancelled if a
 *              cancel was asked for before its point of no return, and otherwise ends it failed with a reason
 *   close      leaves executing operations running in the store and ends their leases now, so whoever
 *              recovers them need not wait
 * </pre>
 */
public final class OperationRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OperationRunner.class.getName());

    private final OperationStore operations;
    private final ItemStore store;
    private final Clock clock;
    private final String owner;
    private final Duration lease;
    private final Map<UUID, Execution> executing = new ConcurrentHashMap<>();
    private volatile boolean closing;
    /** How long a cancel waits for the instance executing the operation to answer. */
    private static final Duration REMOTE_CANCEL_WAIT = Duration.ofSeconds(3);
    private volatile Cluster cluster = Cluster.LOCAL;
    /** Cancels this instance asked another to answer, by request id. */
    private final Map<UUID, CompletableFuture<String>> askedCancels = new ConcurrentHashMap<>();

    /**
     * @param owner this server instance's id, written as the owner of every operation it executes
     * @param lease how long a claim holds without a heartbeat
     */
    public OperationRunner(OperationStore operations, ItemStore store, Clock clock, String owner, Duration lease) {
        this.operations = operations;
        this.store = store;
        this.clock = clock;
        this.owner = Objects.requireNonNull(owner, "owner");
        this.lease = Objects.requireNonNull(lease, "lease");
    }

    /** Receives an operation's progress (for the starting run's stream) and its end. */
    public interface Listener {
        void progress(Operation operation);

        void ended(Operation operation);
    }

    private final class Execution {
        final ReentrantLock lock = new ReentrantLock();
        final CompletableFuture<Operation> done = new CompletableFuture<>();
        final Tool tool;
        final Listener listener;
        Operation current;
        boolean committed;
        Thread worker;
        /** The store holds this instance's claim; set with {@link #worker}. */
        boolean claimed;
        /** Another instance holds the operation now; nothing more is written for it here. */
        boolean lost;
        /** The final write has begun; a heartbeat no longer interrupts it. */
        boolean ending;

        Execution(Operation operation, Tool tool, Listener listener) {
            this.current = operation;
            this.tool = tool;
            this.listener = listener;
        }
    }

    /**
     * Starts (or, for an operation that is already executing here, joins) the operation. The returned future
     * completes with the terminal operation; it never completes exceptionally.
     */
    public CompletableFuture<Operation> start(Operation operation, Tool tool, ObjectNode configurable,
            Listener listener) {
        Execution ex = new Execution(operation, tool, listener);
        Execution existing = executing.putIfAbsent(operation.operationId(), ex);
        if (existing != null) {
            return existing.done;
        }
        // Held from the claim to the worker's start, so a cancel or heartbeat sees the execution whole.
        ex.lock.lock();
        try {
            Operation claimed;
            try {
                claimed = claim(operation);
            } catch (RuntimeException e) {
                executing.remove(operation.operationId(), ex);
                throw e;
            }
            if (claimed.status().isTerminal() || !owner.equals(claimed.owner())) {
                // It ended already, or another live instance executes it: nothing runs here.
                executing.remove(operation.operationId(), ex);
                ex.done.complete(claimed);
                return ex.done;
            }
            ex.current = claimed;
            writeStatus(claimed);
            ex.worker = Thread.ofVirtual().name("operation-" + operation.operationId())
                    .unstarted(() -> execute(ex, configurable));
            ex.claimed = true;
            ex.worker.start();
        } finally {
            ex.lock.unlock();
        }
        return ex.done;
    }

    /** Stamps this instance's lease on a running operation nobody else holds; answers it as stored. */
    private Operation claim(Operation operation) {
        Instant now = clock.instant();
        return operations.update(operation.operationId(), o -> o.status().isTerminal()
                        || (!owner.equals(o.owner()) && !o.leaseExpired(now)) ? o
                        : o.withLease(owner, now.plus(lease), o.updatedAt()))
                .orElse(operation);
    }

    /**
     * The heartbeat: extends the lease of every operation executing here. One the store no longer shows as this
     * instance's was taken over by another instance; it is interrupted and will leave without writing.
     */
    public void heartbeat() {
        List<UUID> ids = new ArrayList<>();
        for (Map.Entry<UUID, Execution> e : executing.entrySet()) {
            if (isClaimed(e.getValue())) {
                ids.add(e.getKey());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        Set<UUID> held = operations.renewLeases(owner, ids, clock.instant().plus(lease));
        for (UUID id : ids) {
            Execution ex = executing.get(id);
            if (held.contains(id) || ex == null) {
                continue;
            }
            ex.lock.lock();
            try {
                if (!ex.ending && !ex.lost) {
                    LOG.warning("operation " + id + " was taken over by another instance; stopping it here");
                    ex.lost = true;
                    dev.switchboard.Interruptions.interrupt(ex.worker);
                }
            } finally {
                ex.lock.unlock();
            }
        }
    }

    private static boolean isClaimed(Execution ex) {
        ex.lock.lock();
        try {
            return ex.claimed;
        } finally {
            ex.lock.unlock();
        }
    }

    /**
     * Crash recovery of an operation whose owner's lease expired, as {@code seen} in the store. Takes it over
     * (unless something changed since it was read: another recoverer was faster), then resumes it with the same
     * idempotency key if {@code tool} is idempotent, ends it cancelled if a cancel was asked for before its point
     * of no return, and otherwise ends it failed with the reason. {@code listener} hears its end either way.
     * {@code tool} is null when the tool can no longer be found. Answers whether this instance took it.
     */
    public boolean recover(Operation seen, Tool tool, ObjectNode configurable, Listener listener) {
        if (closing || executing.containsKey(seen.operationId())) {
            return false;
        }
        Instant now = clock.instant();
        AtomicBoolean took = new AtomicBoolean();
        Optional<Operation> taken = operations.update(seen.operationId(), o -> {
            if (o.status().isTerminal() || !Objects.equals(o.owner(), seen.owner())
                    || !Objects.equals(o.leaseUntil(), seen.leaseUntil())) {
                return o;
            }
            took.set(true);
            return o.withLease(owner, now.plus(lease), o.updatedAt());
        });
        if (!took.get() || taken.isEmpty()) {
            return false;
        }
        Operation op = taken.get();
        int pointOfNoReturn = tool == null ? 100 : tool.spec().pointOfNoReturn();
        if (op.cancelRequested() && op.percent() < pointOfNoReturn) {
            endRecovered(op, OperationStatus.CANCELLED, "cancelled on request", listener);
        } else if (tool != null && tool.spec().idempotent()) {
            LOG.info("resuming operation " + op.operationId() + " (" + op.toolName() + ") with its idempotency key");
            start(op, tool, configurable, listener);
        } else {
            String where = op.percent() + "%" + (op.message().isBlank() ? "" : ", " + op.message());
            String reason = "the server stopped while it ran (at " + where + ") and "
                    + (tool == null ? "its tool " + op.toolName() + " is no longer available"
                            : "the tool is not safe to retry")
                    + (op.percent() >= pointOfNoReturn ? "; it may have taken effect" : "; nothing was changed");
            endRecovered(op, OperationStatus.FAILED, reason, listener);
        }
        return true;
    }

    private void endRecovered(Operation op, OperationStatus end, String error, Listener listener) {
        Instant now = clock.instant();
        AtomicBoolean wrote = new AtomicBoolean();
        Optional<Operation> ended = operations.update(op.operationId(), o -> {
            if (o.status().isTerminal() || !owner.equals(o.owner())) {
                return o;
            }
            wrote.set(true);
            return o.finished(end, null, error, now);
        });
        if (wrote.get() && ended.isPresent()) {
            LOG.info("operation " + op.operationId() + " recovered as " + end.wireName() + ": " + error);
            writeStatus(ended.get());
            listener.ended(ended.get());
        }
    }

    public Optional<CompletableFuture<Operation>> completion(UUID operationId) {
        Execution ex = executing.get(operationId);
        return ex == null ? Optional.empty() : Optional.of(ex.done);
    }

    public boolean isExecuting(UUID operationId) {
        return executing.containsKey(operationId);
    }

    private void execute(Execution ex, ObjectNode configurable) {
        Operation op = ex.current;
        OperationStatus end;
        String result = null;
        String error = null;
        try {
            result = ex.tool.call(op.arguments(), new Context(ex, configurable));
            end = OperationStatus.SUCCEEDED;
        } catch (ToolContext.OperationCancelledException | InterruptedException e) {
            if (isLost(ex)) {
                leaveLost(ex);
                return;
            }
            if (closing && !cancelRequested(ex)) {
                // Shutting down: leave it running in the store; recovery resumes it with the same key.
                executing.remove(op.operationId());
                return;
            }
            end = cancelRequested(ex) ? OperationStatus.CANCELLED : OperationStatus.FAILED;
            error = end == OperationStatus.CANCELLED ? "cancelled on request" : "interrupted";
        } catch (ToolException e) {
            end = OperationStatus.FAILED;
            error = e.getMessage();
        } catch (Throwable e) {
            // Any Throwable, an Error from a buggy tool included, ends the operation: otherwise its completion
            // would never fire and the heartbeat would renew its lease for ever.
            end = OperationStatus.FAILED;
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.log(e instanceof Exception ? Level.FINE : Level.WARNING, "operation " + op.operationId() + " failed", e);
        }
        finish(ex, end, result, error);
    }

    private static boolean isLost(Execution ex) {
        ex.lock.lock();
        try {
            return ex.lost;
        } finally {
            ex.lock.unlock();
        }
    }

    /** Another instance holds the operation now: no write here; whoever awaits it sees it as the store has it. */
    private void leaveLost(Execution ex) {
        UUID id = ex.current.operationId();
        executing.remove(id, ex);
        Operation stored = ex.current;
        try {
            stored = operations.get(id).orElse(stored);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not read operation " + id + " after losing it", e);
        }
        ex.done.complete(stored);
    }

    private boolean cancelRequested(Execution ex) {
        ex.lock.lock();
        try {
            return ex.current.cancelRequested();
        } finally {
            ex.lock.unlock();
        }
    }

    private void finish(Execution ex, OperationStatus end, String result, String error) {
        Operation finished;
        ex.lock.lock();
        try {
            ex.ending = true;
            Thread.interrupted();
            UUID id = ex.current.operationId();
            String finalError = error;
            try {
                // Fenced: only the owner ends it, and an end never replaces another end.
                finished = operations.update(id, o -> {
                    if (!owner.equals(o.owner())) {
                        throw new Fenced();
                    }
                    return o.status().isTerminal() ? o : o.finished(end, result, finalError, clock.instant());
                }).orElse(ex.current.finished(end, result, error, clock.instant()));
                ex.current = finished;
            } catch (Fenced f) {
                LOG.warning("operation " + id + " ended here after another instance took it over; its "
                        + end.wireName() + " is not written");
                ex.lost = true;
                finished = null;
            }
        } finally {
            ex.lock.unlock();
        }
        if (finished == null) {
            leaveLost(ex);
            return;
        }
        writeStatus(finished);
        executing.remove(finished.operationId());
        try {
            ex.listener.ended(finished);
        } finally {
            ex.done.complete(finished);
        }
    }

    /**
     * Joins the other instances of a deployment: a cancel of an operation one of them executes is answered by
     * that instance, which alone knows whether it passed its point of no return.
     */
    public void joinCluster(Cluster signals) {
        this.cluster = signals;
        signals.listen(new Cluster.Listener() {
            @Override
            public void cancelOperation(UUID requestId, UUID operationId) {
                if (executing.containsKey(operationId)) {
                    // Off the signal thread: the cancel takes the execution's lock and writes the store.
                    Thread.ofVirtual().name("remote-cancel-" + operationId).start(() ->
                            signals.answerCancel(requestId, OperationRunner.this.cancel(operationId).result().wireName()));
                }
            }

            @Override
            public void cancelAnswered(UUID requestId, String result) {
                CompletableFuture<String> asked = askedCancels.get(requestId);
                if (asked != null) {
                    asked.complete(result);
                }
            }
        });
    }

    /**
     * Asks a running operation to stop. Accepted only before its point of no return; the operation then ends
     * {@code cancelled} at its next step. One executing on another live instance is asked there, and answered
     * with that instance's truth, or {@code unknown} if it does not answer within a bounded wait.
     */
    public CancelOutcome cancel(UUID operationId) {
        Execution ex = executing.get(operationId);
        if (ex == null) {
            Operation op = operations.get(operationId)
                    .orElseThrow(() -> dev.switchboard.SwitchboardException.NotFound.of("Operation", operationId));
            if (op.status().isTerminal()) {
                return new CancelOutcome(CancelOutcome.Result.ALREADY_FINISHED, op,
                        "the operation already ended: " + op.status().wireName());
            }
            if (cluster != Cluster.LOCAL && op.owner() != null && !owner.equals(op.owner())
                    && op.leaseUntil() != null && op.leaseUntil().isAfter(clock.instant())) {
                return askOwner(op);
            }
            // Running in another process or awaiting recovery: record the request; its executor honours it.
            Operation marked = operations.update(operationId, o -> o.status().isTerminal() ? o
                    : o.withCancelRequested(clock.instant())).orElse(op);
            return new CancelOutcome(CancelOutcome.Result.ACCEPTED, marked, "cancel requested");
        }
        ex.lock.lock();
        try {
            Operation op = ex.current;
            if (op.status().isTerminal()) {
                return new CancelOutcome(CancelOutcome.Result.ALREADY_FINISHED, op,
                        "the operation already ended: " + op.status().wireName());
            }
            if (ex.committed) {
                return new CancelOutcome(CancelOutcome.Result.REFUSED_POINT_OF_NO_RETURN, op,
                        "the operation is past its point of no return (" + op.percent() + "%, " + op.message()
                                + ") and will complete");
            }
            ex.current = operations.update(operationId, o -> o.withCancelRequested(clock.instant()))
                    .orElse(op.withCancelRequested(clock.instant()));
            if (ex.worker != null) {
                dev.switchboard.Interruptions.interrupt(ex.worker);
            }
            return new CancelOutcome(CancelOutcome.Result.ACCEPTED, ex.current,
                    "the operation will stop before it changes anything");
        } finally {
            ex.lock.unlock();
        }
    }

    /**
     * The operation executes on another live instance: that instance applies the cancel and says what it did.
     * No answer within {@link #REMOTE_CANCEL_WAIT} (the instance is stalled or cut off) is "unknown": the request
     * is recorded in the store, where a recoverer honours it if the operation had not passed its point of no return.
     */
    private CancelOutcome askOwner(Operation op) {
        UUID requestId = UUID.randomUUID();
        CompletableFuture<String> answer = new CompletableFuture<>();
        askedCancels.put(requestId, answer);
        try {
            cluster.cancelOperation(requestId, op.operationId());
            CancelOutcome.Result result = CancelOutcome.Result.fromWire(
                    answer.get(REMOTE_CANCEL_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
            Operation now = operations.get(op.operationId()).orElse(op);
            return new CancelOutcome(result, now, switch (result) {
                case ACCEPTED -> "the operation will stop before it changes anything";
                case REFUSED_POINT_OF_NO_RETURN -> "the operation is past its point of no return (" + now.percent()
                        + "%, " + now.message() + ") and will complete";
                case ALREADY_FINISHED -> "the operation already ended: " + now.status().wireName();
                case UNKNOWN -> "the instance executing it could not tell";
            });
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
                | InterruptedException | IllegalArgumentException noAnswer) {
            if (noAnswer instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Operation now = operations.get(op.operationId()).orElse(op);
            if (now.status().isTerminal()) {
                return new CancelOutcome(CancelOutcome.Result.ALREADY_FINISHED, now,
                        "the operation already ended: " + now.status().wireName());
            }
            Operation marked = operations.update(op.operationId(), o -> o.status().isTerminal() ? o
                    : o.withCancelRequested(clock.instant())).orElse(now);
            return new CancelOutcome(CancelOutcome.Result.UNKNOWN, marked, "instance " + op.owner()
                    + ", which executes it, did not answer within " + REMOTE_CANCEL_WAIT.toSeconds()
                    + " s; the request is recorded and honoured only if the operation has not passed its point of no"
                    + " return");
        } finally {
            askedCancels.remove(requestId);
        }
    }

    private void writeStatus(Operation op) {
        ObjectNode status = Json.object();
        status.put("operation_id", op.operationId().toString());
        status.put("thread_id", op.threadId().toString());
        status.put("run_id", op.runId().toString());
        status.put("tool", op.toolName());
        status.put("status", op.status().wireName());
        status.put("percent", op.percent());
        status.put("message", op.message());
        status.put("updated_at", op.updatedAt().toString());
        try {
            store.put(namespaceOf(op.namespace()), CoordinationKeys.WORKING_TOOL_STATUS, status, null);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not write the status of operation " + op.operationId(), e);
        }
    }

    static Namespace namespaceOf(List<String> labels) {
        return new Namespace(labels);
    }

    /**
     * Stops every operation thread without ending the operations: they stay running for recovery, their leases
     * ended now so that recovery need not wait for them to expire.
     */
    @Override
    public void close() {
        closing = true;
        Instant now = clock.instant();
        for (Execution ex : executing.values()) {
            ex.lock.lock();
            try {
                if (ex.worker != null) {
                    dev.switchboard.Interruptions.interrupt(ex.worker);
                }
            } finally {
                ex.lock.unlock();
            }
            try {
                operations.update(ex.current.operationId(), o -> o.status().isTerminal() || !owner.equals(o.owner()) ? o
                        : o.withLease(owner, now, o.updatedAt()));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not end the lease of operation " + ex.current.operationId(), e);
            }
        }
    }

    /** Thrown inside a store update to refuse a write this instance may no longer make. */
    private static final class Fenced extends RuntimeException {
        Fenced() {
            super(null, null, false, false);
        }
    }

    /** The context a long-running tool sees. */
    private final class Context implements ToolContext {
        private final Execution ex;
        private final ObjectNode configurable;

        Context(Execution ex, ObjectNode configurable) {
            this.ex = ex;
            this.configurable = configurable;
        }

        @Override
        public UUID threadId() {
            return ex.current.threadId();
        }

        @Override
        public UUID runId() {
            return ex.current.runId();
        }

        @Override
        public String toolCallId() {
            return ex.current.toolCallId();
        }

        @Override
        public String idempotencyKey() {
            return ex.current.idempotencyKey();
        }

        @Override
        public ObjectNode configurable() {
            // The tool acts for the user its operation records, never for another one a config names. (An
            // operation without one was made from this same config, or predates the field: the config stands.)
            ObjectNode copy = configurable.deepCopy();
            if (ex.current.userId() != null) {
                copy.put(Operation.USER_KEY, ex.current.userId());
            }
            return copy;
        }

        @Override
        public List<String> namespace() {
            return ex.current.namespace();
        }

        @Override
        public void emit(JsonNode payload) {
            // Operations report through progress(); free-form events have no stream of their own.
        }

        @Override
        public void progress(int percent, String message) throws OperationCancelledException {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("percent must be 0..100, got " + percent);
            }
            Operation updated;
            ex.lock.lock();
            try {
                if (ex.lost) {
                    throw new OperationCancelledException("operation " + ex.current.operationId()
                            + " is executed by another instance now");
                }
                if (ex.current.cancelRequested() && !ex.committed) {
                    throw new OperationCancelledException("operation " + ex.current.operationId() + " was cancelled");
                }
                if (percent >= ex.tool.spec().pointOfNoReturn()) {
                    ex.committed = true;
                }
                try {
                    updated = operations.update(ex.current.operationId(), o -> {
                        if (!owner.equals(o.owner())) {
                            throw new Fenced();
                        }
                        return o.status().isTerminal() ? o : o.withProgress(percent, message, clock.instant());
                    }).orElse(ex.current.withProgress(percent, message, clock.instant()));
                } catch (Fenced f) {
                    // A recoverer took it after our lease expired: stop before doing anything more.
                    ex.lost = true;
                    throw new OperationCancelledException("operation " + ex.current.operationId()
                            + " is executed by another instance now");
                }
                ex.current = updated;
            } finally {
                ex.lock.unlock();
            }
            writeStatus(updated);
            ex.listener.progress(updated);
        }
    }
}

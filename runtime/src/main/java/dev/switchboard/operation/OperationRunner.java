package dev.switchboard.operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Executes long-running tools as operations, each on its own virtual thread, independent of the run that
 * started it: cancelling or rolling back that run never stops the operation.
 *
 * <p>Cancellation and the point of no return meet under the execution's lock: a progress report at or past
 * the tool's {@code pointOfNoReturn} commits the operation, after which a cancel is refused; a cancel before
 * that marks the operation and interrupts its thread, and the tool's next blocking call or progress report
 * throws. A tool must therefore apply its side effect only after its progress report for the point of no
 * return has returned.
 */
public final class OperationRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OperationRunner.class.getName());

    private final OperationStore operations;
    private final ItemStore store;
    private final Clock clock;
    private final Map<UUID, Execution> executing = new ConcurrentHashMap<>();
    private volatile boolean closing;

    public OperationRunner(OperationStore operations, ItemStore store, Clock clock) {
        this.operations = operations;
        this.store = store;
        this.clock = clock;
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
        writeStatus(operation);
        ex.lock.lock();
        try {
            ex.worker = Thread.ofVirtual().name("operation-" + operation.operationId())
                    .unstarted(() -> execute(ex, configurable));
            ex.worker.start();
        } finally {
            ex.lock.unlock();
        }
        return ex.done;
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
        } catch (Exception e) {
            end = OperationStatus.FAILED;
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.log(Level.FINE, "operation " + op.operationId() + " failed", e);
        }
        finish(ex, end, result, error);
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
            Thread.interrupted();
            UUID id = ex.current.operationId();
            String finalError = error;
            finished = operations.update(id, o -> o.finished(end, result, finalError, clock.instant()))
                    .orElse(ex.current.finished(end, result, error, clock.instant()));
            ex.current = finished;
        } finally {
            ex.lock.unlock();
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
     * Asks a running operation to stop. Accepted only before its point of no return; the operation then ends
     * {@code cancelled} at its next step.
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
            ex.worker.interrupt();
            return new CancelOutcome(CancelOutcome.Result.ACCEPTED, ex.current,
                    "the operation will stop before it changes anything");
        } finally {
            ex.lock.unlock();
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

    /** Stops every operation thread without ending the operations: they stay running for recovery. */
    @Override
    public void close() {
        closing = true;
        for (Execution ex : executing.values()) {
            ex.worker.interrupt();
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
            return configurable.deepCopy();
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
                if (ex.current.cancelRequested() && !ex.committed) {
                    throw new OperationCancelledException("operation " + ex.current.operationId() + " was cancelled");
                }
                if (percent >= ex.tool.spec().pointOfNoReturn()) {
                    ex.committed = true;
                }
                updated = operations.update(ex.current.operationId(),
                                o -> o.status().isTerminal() ? o : o.withProgress(percent, message, clock.instant()))
                        .orElse(ex.current.withProgress(percent, message, clock.instant()));
                ex.current = updated;
            } finally {
                ex.lock.unlock();
            }
            writeStatus(updated);
            ex.listener.progress(updated);
        }
    }
}

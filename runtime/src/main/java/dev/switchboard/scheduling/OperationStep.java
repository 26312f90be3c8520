package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.tool.Tool;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static dev.switchboard.scheduling.LoopSteps.*;

/**
 * A main run's long-running tool call: the operation is persisted (idempotency key = thread + run + call) and
 * executes on its own virtual thread; the run awaits its end with the secondary lane open, then closes the lane,
 * waits for (or aborts) the secondary run still answering and folds queued secondary messages, so the synthesis
 * reads the whole exchange. If the run is cancelled meanwhile the operation goes on and its end is reported by a
 * report run. A call of a tool that already has an operation in flight on the thread starts nothing.
 */
final class OperationStep {
    private final OperationStore operations;
    private final OperationRunner runner;
    private final OperationTools operationTools;
    private final Lanes lanes;
    private final Clock clock;
    private final Duration secondaryWait;
    private final Coordination scheduler;

    OperationStep(OperationStore operations, OperationRunner runner, OperationTools operationTools, Lanes lanes,
            Clock clock, Duration secondaryWait, Coordination scheduler) {
        this.operations = operations;
        this.runner = runner;
        this.operationTools = operationTools;
        this.lanes = lanes;
        this.clock = clock;
        this.secondaryWait = secondaryWait;
        this.scheduler = scheduler;
    }

    /**
     * Starts (or resumes, by idempotency key) the operation for {@code call}, awaits its end with the
     * secondary lane open, then closes the lane. If this run is cancelled meanwhile the operation goes on and
     * the lane closes; the operation's end is then reported by a report run.
     */
    Operation awaitOperation(Run run, EventLog log, ObjectNode configurable, List<String> namespace,
            ToolCall call, Tool tool) throws InterruptedException {
        String key = Operation.idempotencyKey(run.threadId(), run.runId(), call.id());
        var now = clock.instant();
        Operation op = operations.byIdempotencyKey(key).orElseGet(() -> operations.create(new Operation(Ids.newId(),
                run.threadId(), run.runId(), call.id(), call.name(), call.args(), key, namespace,
                OperationStatus.RUNNING, 0, "started", null, null, false, false, null, null, now, now,
                userOf(configurable))));
        Lanes.Conversation conversation = lanes.open(namespace, run.threadId(), run.runId(), op.operationId());
        publishOperation(log, RunEvent.OperationUpdate.Phase.STARTED, op);
        CompletableFuture<Operation> done = op.status().isTerminal() ? CompletableFuture.completedFuture(op)
                : runner.start(op, tool, configurable, new OperationRunner.Listener() {
                    @Override
                    public void progress(Operation progressed) {
                        publishOperation(log, RunEvent.OperationUpdate.Phase.PROGRESS, progressed);
                    }

                    @Override
                    public void ended(Operation finished) {
                        publishOperation(log, RunEvent.OperationUpdate.Phase.ENDED, finished);
                        if (!lanes.isAwaiting(conversation, finished.operationId())) {
                            scheduler.operationOrphaned(finished);
                        }
                    }
                });
        Operation ended;
        try {
            ended = done.get();
        } catch (InterruptedException e) {
            if (lanes.abandon(conversation, run.runId())) {
                operations.get(op.operationId())
                        .filter(o -> o.status().isTerminal() && !o.reported())
                        .ifPresent(scheduler::operationOrphaned);
            }
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("operation futures never fail", e.getCause());
        }
        if (!ended.status().isTerminal()) {
            // This instance lost the operation's lease: another instance executes it now and reports its end.
            lanes.abandon(conversation, run.runId());
            throw new LeaseLost("operation " + op.operationId() + " is executed by another instance now");
        }
        Optional<UUID[]> processing = lanes.close(conversation, run.runId(), secondaryWait);
        if (processing.isPresent()) {
            scheduler.abortSecondary(processing.get()[0], processing.get()[1]);
        }
        scheduler.foldPendingSecondary(run.threadId(), conversation);
        return ended;
    }

    void publishOperation(EventLog log, RunEvent.OperationUpdate.Phase phase, Operation op) {
        if (!log.isClosed()) {
            try {
                log.publish(new RunEvent.OperationUpdate(phase, operationTools.describe(op)));
            } catch (IllegalStateException closedMeanwhile) {
                // the run ended (cancelled) between the check and the publish; the operation goes on
            }
        }
    }

    ToolMessage outcomeMessage(ToolCall call, Operation op) {
        String content = Json.write(operationTools.describe(op));
        return op.status() == OperationStatus.SUCCEEDED ? ToolMessage.success(call.id(), call.name(), content)
                : ToolMessage.error(call.id(), call.name(), content);
    }

    /** A long-running call whose tool already has an operation in flight on this thread (from an earlier run). */
    Optional<Operation> alreadyInFlight(Run run, ToolCall call) {
        String key = Operation.idempotencyKey(run.threadId(), run.runId(), call.id());
        return operations.listByThread(run.threadId()).stream()
                .filter(op -> !op.status().isTerminal() && op.toolName().equals(call.name())
                        && !op.idempotencyKey().equals(key))
                .findFirst();
    }
}

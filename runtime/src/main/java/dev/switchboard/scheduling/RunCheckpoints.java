package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.thread.ConversationState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Owns every read-modify-write of a thread's checkpoints: the main lane's steps, secondary commits, rollback
 * deletions, and the fix-ups that keep a history valid when a run stops early. Each happens under the thread's
 * state lock, held only here, so no writer builds on a state another just replaced. The locks are a fixed set
 * of stripes (bounded memory however many threads there are); a stripe is never held while taking another.
 *
 * <p>Two rules keep operations visible (DESIGN.md §2, last paragraph of the strategies): a run that stops with
 * a tool call unanswered gets a result for it (an operation's call is answered with its state, never with its
 * outcome, which its report writes exactly once), and a rolled-back run's operations survive the rollback as
 * their call and that state, so no later run can act as if they were not in flight.
 *
 * <p>Each read-modify-write also holds the thread in the store ({@link CheckpointStore#holdingThread}), after the
 * local stripe and never the other way round, so instances sharing a database serialise on it too: a rollback
 * on one instance cannot delete the checkpoint another is writing on. (Over 400 lines on purpose: every writer
 * of a thread's history stays in this one owner, so that lock order is written once.)
 */
final class RunCheckpoints {
    static final String AGENT_NODE = "agent";
    static final String TOOLS_NODE = "tools";
    private static final int STRIPES = 256;

    /** A checkpoint and the state it holds. */
    record Written(UUID id, ConversationState state) {
    }

    private final CheckpointStore checkpoints;
    private final OperationStore operations;
    private final OperationTools operationTools;
    private final Leases leases;
    private final String owner;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    RunCheckpoints(CheckpointStore checkpoints, OperationStore operations, OperationTools operationTools, Leases leases,
            String owner, Clock clock) {
        this.owner = owner;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.operationTools = operationTools;
        this.leases = leases;
        this.clock = clock;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    private ReentrantLock lock(UUID threadId) {
        return locks[Math.floorMod(threadId.hashCode(), STRIPES)];
    }

    /** The thread's latest state (empty before its first checkpoint). */
    ConversationState latestState(UUID threadId) {
        return checkpoints.latest(threadId).map(c -> ConversationState.fromJson(c.values())).orElse(ConversationState.EMPTY);
    }

    /**
     * A main run's input step: {@code apply} to the state it starts from (the requested checkpoint, else the
     * latest) and to the pause that checkpoint holds, written as the run's first checkpoint. Its {@code next} is
     * {@code tools} when the state ends in tool calls to run (a re-issued approved call), else {@code agent}.
     */
    Written input(Run run, UUID requestedBase,
            java.util.function.BiFunction<ConversationState, Optional<dev.switchboard.checkpoint.Pause>, ConversationState> apply,
            ObjectNode writes) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            return checkpoints.holdingThread(run.threadId(), () -> inputHolding(run, requestedBase, apply, writes));
        } finally {
            lock.unlock();
        }
    }

    private Written inputHolding(Run run, UUID requestedBase,
            java.util.function.BiFunction<ConversationState, Optional<dev.switchboard.checkpoint.Pause>, ConversationState> apply,
            ObjectNode writes) {
        Checkpoint base = requestedBase == null ? checkpoints.latest(run.threadId()).orElse(null)
                : checkpoints.get(run.threadId(), requestedBase).orElseThrow(() -> new IllegalStateException(
                        "checkpoint " + requestedBase + " of thread " + run.threadId() + " is gone"));
        ConversationState start = base == null ? ConversationState.EMPTY : ConversationState.fromJson(base.values());
        Optional<dev.switchboard.checkpoint.Pause> pause = base == null ? Optional.empty() : base.pause();
        if (pause.isEmpty()) {
            // A run that failed while the store was failing may have left a call unanswered: answered here at
            // the latest, so the persisted history is valid again before anything is added to it. (A paused
            // thread's calls are pending, not dangling: apply answers them.)
            start = start.withMessages(closedCalls(run.threadId(), start.messages(),
                    "error: the run that made this call ended before it returned"));
        }
        ConversationState state = apply.apply(start, pause);
        boolean callsPending = !state.messages().isEmpty() && state.messages().getLast() instanceof AiMessage ai
                && ai.hasToolCalls();
        UUID id = write(run, base == null ? null : base.checkpointId(), -1, Checkpoint.Source.INPUT, state,
                List.of(callsPending ? TOOLS_NODE : AGENT_NODE), writes, null);
        return new Written(id, state);
    }

    /** The thread's latest checkpoint. */
    Optional<Checkpoint> latest(UUID threadId) {
        return checkpoints.latest(threadId);
    }

    /**
     * Where a run stops for a person: a checkpoint of {@code state} whose {@code next} is the pause's node and
     * whose metadata keeps the pause, so that the thread reads as interrupted (and resumes there) on any instance,
     * after any restart.
     */
    Written pauseAt(Run run, UUID parent, int step, ConversationState state, Checkpoint.Source source,
            dev.switchboard.checkpoint.Pause pause, ObjectNode writes) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            return checkpoints.holdingThread(run.threadId(), () -> {
                ConversationState effective = withLatestInterim(run, state);
                return new Written(write(run, parent, step, source, effective, List.of(pause.node()), writes, pause),
                        effective);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * A main-lane step. The main lane owns {@code messages}; {@code interim_messages} belong to the secondary lane,
     * so they are taken from the thread's latest checkpoint.
     */
    Written mainStep(Run run, UUID parent, int step, ConversationState state, List<String> next, ObjectNode writes) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            return checkpoints.holdingThread(run.threadId(), () -> {
                ConversationState effective = withLatestInterim(run, state);
                return new Written(write(run, parent, step, Checkpoint.Source.LOOP, effective, next, writes, null),
                        effective);
            });
        } finally {
            lock.unlock();
        }
    }

    /** {@code state} with the interim exchange of the thread's latest checkpoint (the secondary lane's part). */
    private ConversationState withLatestInterim(Run run, ConversationState state) {
        return checkpoints.latest(run.threadId())
                .map(latest -> state.withInterimMessages(ConversationState.fromJson(latest.values()).interimMessages()))
                .orElse(state);
    }

    /**
     * A secondary run's exchange joins {@code interim_messages} (and {@code messages} too when the run is on a
     * thread of its own that shares the coordination namespace). Returns the state written.
     */
    ConversationState secondaryStep(Run run, boolean sameThread, List<Message> exchange) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            return checkpoints.holdingThread(run.threadId(), () -> {
                Checkpoint latest = checkpoints.latest(run.threadId()).orElse(null);
                ConversationState state = latest == null ? ConversationState.EMPTY
                        : ConversationState.fromJson(latest.values());
                ConversationState next = state.withInterimMessages(History.addMessages(state.interimMessages(), exchange));
                if (!sameThread) {
                    next = next.addMessages(exchange);
                }
                // A paused thread stays paused: the secondary exchange is written next to the pause, not over it.
                write(run, latest == null ? null : latest.checkpointId(), latest == null ? 0 : latest.step(),
                        Checkpoint.Source.LOOP, next, latest == null ? List.of() : latest.next(),
                        writes("secondary", exchange), latest == null ? null : latest.pause().orElse(null));
                return next;
            });
        } finally {
            lock.unlock();
        }
    }

    /** Appends messages that no model wrote (a report written without a model) as one step of {@code run}. */
    void append(Run run, List<Message> messages) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            checkpoints.holdingThread(run.threadId(), () -> {
                Checkpoint latest = checkpoints.latest(run.threadId()).orElse(null);
                ConversationState state = latest == null ? ConversationState.EMPTY
                        : ConversationState.fromJson(latest.values());
                return write(run, latest == null ? null : latest.checkpointId(), latest == null ? 0 : latest.step() + 1,
                        Checkpoint.Source.LOOP, state.addMessages(messages), List.of(), writes(AGENT_NODE, messages), null);
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a run stopped early (interrupted, failed, recovered): if the thread's history has tool calls without
     * results, writes one checkpoint that answers each. A call whose operation exists is answered with the
     * operation's state; any other with {@code reason}. Reads only the latest checkpoint.
     */
    void closeDanglingToolCalls(Run run, String reason) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            checkpoints.holdingThread(run.threadId(), () -> {
                Optional<Checkpoint> found = checkpoints.latest(run.threadId());
                if (found.isEmpty() || found.get().pause().isPresent()) {
                    return null; // a paused thread's calls wait for a person; they are not dangling
                }
                Checkpoint latest = found.get();
                ConversationState state = ConversationState.fromJson(latest.values());
                List<Message> messages = state.messages();
                List<Message> closed = closedCalls(run.threadId(), messages, reason);
                if (closed.size() != messages.size()) {
                    write(run, latest.checkpointId(), latest.step() + 1, Checkpoint.Source.LOOP,
                            state.withMessages(closed), List.of(),
                            writes(TOOLS_NODE, closed.subList(messages.size(), closed.size())), null);
                }
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code messages} with every tool call that has no result answered: at the end of the history an operation's
     * call gets the operation's state, any other call {@code reason}. The same list when nothing dangles.
     */
    private List<Message> closedCalls(UUID threadId, List<Message> messages, String reason) {
        if (messages.isEmpty() || !(messages.getLast() instanceof AiMessage last) || !last.hasToolCalls()) {
            return History.closeDanglingToolCalls(messages, reason);
        }
        List<Operation> ops = operations.listByThread(threadId);
        List<Message> closed = new ArrayList<>(History.closeDanglingToolCalls(messages.subList(0, messages.size() - 1), reason));
        closed.add(last);
        for (ToolCall call : last.toolCalls()) {
            closed.add(answerFor(ops.stream().filter(op -> op.toolCallId().equals(call.id())).findFirst(), call, reason));
        }
        return closed;
    }

    /**
     * Rollback of a main run: its checkpoints go, with those later runs (secondary commits) wrote on top of them;
     * then every operation the run started survives as its call answered with the operation's state, and an
     * outcome the run had already reported is marked unreported again so that its report is written anew.
     * Returns the secondary-lane messages the run had folded into {@code messages}, for the interim exchange.
     */
    List<Message> rollBack(Run run, java.util.function.BooleanSupplier held, Runnable deleteRun) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            return checkpoints.holdingThread(run.threadId(), () -> {
                // Checked holding the thread: a run another instance took over meanwhile (and whose thread may have
                // taken its next run, on the history this would delete) is not this instance's to roll back.
                if (!held.getAsBoolean()) {
                    throw new LeaseLost(run.runId());
                }
                List<Message> unfolded = rollBackHolding(run);
                deleteRun.run();
                return unfolded;
            });
        } finally {
            lock.unlock();
        }
    }

    private List<Message> rollBackHolding(Run run) {
        List<Message> before = latestState(run.threadId()).messages();
        checkpoints.deleteRunAndLater(run.threadId(), run.runId());
        // What was said on the secondary lane and folded into messages by this run goes back to the interim
        // exchange, so the report that follows answers it again instead of losing it.
        java.util.Set<String> kept = new java.util.HashSet<>();
        latestState(run.threadId()).messages().forEach(m -> kept.add(m.id()));
        List<Message> unfolded = before.stream()
                .filter(m -> Lane.SECONDARY.wireName().equals(m.additionalKwargs().path("lane").asText()))
                .filter(m -> !kept.contains(m.id()))
                .toList();
        List<Operation> started = new ArrayList<>();
        UUID reporting = run.reportsOperation();
        for (Operation op : operations.listByThread(run.threadId())) {
            if (op.runId().equals(run.runId())) {
                started.add(op);
            }
            if ((op.runId().equals(run.runId()) || op.operationId().equals(reporting)) && op.reported()) {
                operations.update(op.operationId(), o -> o.withUnreported(clock.instant()));
            }
        }
        if (started.isEmpty()) {
            return unfolded;
        }
        List<ToolCall> calls = started.stream()
                .map(op -> new ToolCall(op.toolCallId(), op.toolName(), op.arguments())).toList();
        List<Message> preserved = new ArrayList<>();
        preserved.add(AiMessage.ofToolCalls("", calls));
        for (Operation op : started) {
            Operation now = operations.get(op.operationId()).orElse(op);
            preserved.add(answerFor(Optional.of(now), new ToolCall(op.toolCallId(), op.toolName(), op.arguments()), null));
        }
        Checkpoint latest = checkpoints.latest(run.threadId()).orElse(null);
        ConversationState state = latest == null ? ConversationState.EMPTY : ConversationState.fromJson(latest.values());
        Optional<dev.switchboard.checkpoint.Pause> pause = latest == null ? Optional.empty() : latest.pause();
        List<Message> messages = state.messages();
        ConversationState preservedState;
        if (pause.isPresent() && !messages.isEmpty() && messages.getLast() instanceof AiMessage awaiting
                && awaiting.hasToolCalls()) {
            // The rolled-back run had answered a pause, which is back: the calls awaiting the decision stay
            // last (answered by it), the operation's call and state go just before them.
            List<Message> spliced = new ArrayList<>(messages.subList(0, messages.size() - 1));
            spliced.addAll(preserved);
            spliced.add(awaiting);
            preservedState = state.withMessages(spliced);
        } else {
            preservedState = state.addMessages(preserved);
        }
        // Written as no run's step (run id null): a later rollback of another run never deletes it.
        writePreserved(run, latest == null ? null : latest.checkpointId(), latest == null ? 0 : latest.step() + 1,
                preservedState, writes(TOOLS_NODE, preserved), latest);
        return unfolded;
    }

    /**
     * The result that closes an unanswered call. An operation's call gets the operation's state: its progress
     * while in flight; once ended only a note that its report follows, since the outcome itself is written once,
     * by the report.
     */
    private ToolMessage answerFor(Optional<Operation> op, ToolCall call, String reason) {
        if (op.isEmpty()) {
            return ToolMessage.error(call.id(), call.name(), reason);
        }
        Operation o = op.get();
        ObjectNode status;
        if (o.status().isTerminal()) {
            status = Json.object();
            status.put("operation_id", o.operationId().toString());
            status.put("tool", o.toolName());
            status.put("note", "it has finished; the run that started it stopped early, and its outcome is reported next");
        } else {
            status = operationTools.describe(o);
            status.put("note", "still running in the background; its outcome will be reported when it ends");
        }
        return ToolMessage.success(call.id(), call.name(), Json.write(status));
    }

    /** Deletes what a secondary run wrote (rollback of a secondary run). */
    void deleteSecondary(Run run, java.util.function.BooleanSupplier held, Runnable deleteRun) {
        ReentrantLock lock = lock(run.threadId());
        lock.lock();
        try {
            checkpoints.holdingThread(run.threadId(), () -> {
                if (!held.getAsBoolean()) {
                    throw new LeaseLost(run.runId());
                }
                checkpoints.deleteByRun(run.threadId(), run.runId());
                deleteRun.run();
                return null;
            });
        } finally {
            lock.unlock();
        }
    }

    UUID write(Run run, UUID parent, int step, Checkpoint.Source source, ConversationState state, List<String> next,
            ObjectNode writes, dev.switchboard.checkpoint.Pause pause) {
        // A run this instance may no longer hold writes nothing more: refused early by the lease as this instance
        // last renewed it (Leases), and for certain by the store, which checks the run's owner in the same
        // statement as the write (a write stalled past a take-over must not land on the new owner's history).
        leases.check(run.runId());
        ObjectNode metadata = metadata(run, source, step, writes);
        if (pause != null) {
            metadata.set(dev.switchboard.checkpoint.Pause.METADATA_KEY, pause.toJson());
        }
        UUID id = Ids.newId();
        if (!checkpoints.putIfHeld(new Checkpoint(id, run.threadId(), parent, run.runId(), step, source, state.toJson(),
                next, metadata, clock.instant()), owner)) {
            throw new LeaseLost(run.runId());
        }
        return id;
    }

    /** A checkpoint no run owns, written on behalf of {@code cause}. */
    /** A paused {@code base} stays paused: its pause and next node are carried over. */
    private void writePreserved(Run cause, UUID parent, int step, ConversationState state, ObjectNode writes,
            Checkpoint base) {
        ObjectNode metadata = metadata(cause, Checkpoint.Source.UPDATE, step, writes);
        metadata.remove("run_id");
        metadata.put("preserved_from_run", cause.runId().toString());
        List<String> next = List.of();
        if (base != null && base.pause().isPresent()) {
            metadata.set(dev.switchboard.checkpoint.Pause.METADATA_KEY,
                    base.metadata().get(dev.switchboard.checkpoint.Pause.METADATA_KEY));
            next = base.next();
        }
        checkpoints.put(new Checkpoint(Ids.newId(), cause.threadId(), parent, null, step, Checkpoint.Source.UPDATE,
                state.toJson(), next, metadata, clock.instant()));
    }

    private static ObjectNode metadata(Run run, Checkpoint.Source source, int step, ObjectNode writes) {
        ObjectNode metadata = Json.object();
        metadata.put("source", source.wireName());
        metadata.put("step", step);
        metadata.put("run_id", run.runId().toString());
        metadata.put("thread_id", run.threadId().toString());
        metadata.put("assistant_id", run.assistantId().toString());
        metadata.put("lane", run.lane().wireName());
        metadata.set("writes", writes);
        metadata.set("parents", Json.object());
        return metadata;
    }

    static ObjectNode writes(String node, List<? extends Message> messages) {
        ObjectNode writes = Json.object();
        writes.putObject(node).set(ConversationState.MESSAGES, MessageJson.toJson(messages));
        return writes;
    }
}

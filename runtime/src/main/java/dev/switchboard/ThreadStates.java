package dev.switchboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.message.MessageJson;
import dev.switchboard.run.Lane;
import dev.switchboard.run.RunStore;
import dev.switchboard.scheduling.RunScheduler;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A thread's state as clients read and write it outside runs: the state at a checkpoint, the history, a state
 * update (a new checkpoint, refused while a run is active) and a metadata patch of the latest checkpoint. Runs
 * write their own checkpoints through the scheduler; the updates here hold the thread as admissions do.
 */
final class ThreadStates {
    private final ThreadStore threads;
    private final RunStore runs;
    private final CheckpointStore checkpoints;
    private final RunScheduler scheduler;
    private final Clock clock;

    ThreadStates(ThreadStore threads, RunStore runs, CheckpointStore checkpoints, RunScheduler scheduler,
            Clock clock) {
        this.threads = threads;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    private ConversationThread thread(UUID threadId) {
        return threads.get(threadId).orElseThrow(() -> SwitchboardException.NotFound.of("Thread", threadId));
    }

    /** The thread's state at a checkpoint (the latest when {@code checkpointId} is null); empty before any. */
    Optional<Checkpoint> state(UUID threadId, UUID checkpointId) {
        thread(threadId);
        if (checkpointId == null) {
            return checkpoints.latest(threadId);
        }
        return Optional.of(checkpoints.get(threadId, checkpointId)
                .orElseThrow(() -> SwitchboardException.NotFound.of("Checkpoint", checkpointId)));
    }

    /** Checkpoints newest first. */
    List<Checkpoint> history(UUID threadId, int limit, UUID before) {
        thread(threadId);
        if (limit < 1 || limit > 1000) {
            throw new SwitchboardException.InvalidRequest("limit must be between 1 and 1000, got " + limit);
        }
        return checkpoints.list(threadId, limit, before);
    }

    /**
     * Writes a new checkpoint: the state at {@code checkpointId} (or the latest) with {@code values} applied,
     * messages through the add-messages reducer and other keys replaced. Refused while a run is active.
     */
    Checkpoint updateState(UUID threadId, JsonNode values, String asNode, UUID checkpointId) {
        // Serialized here with the scheduler, and in the store with admissions on every instance: a run admitted
        // elsewhere between the idle check and the write would build on the state before the update and lose it.
        return scheduler.serialized(threadId,
                () -> runs.atomically(() -> updateStateLocked(threadId, values, asNode, checkpointId)));
    }

    private Checkpoint updateStateLocked(UUID threadId, JsonNode values, String asNode, UUID checkpointId) {
        ConversationThread t = thread(threadId);
        if (!runs.activeHoldingAdmissions(threadId, Lane.MAIN).isEmpty()) {
            throw new SwitchboardException.Conflict("thread_busy", "Thread " + threadId + " is busy");
        }
        if (values != null && !values.isNull() && !values.isObject()) {
            throw new SwitchboardException.InvalidRequest("values must be a JSON object");
        }
        Optional<Checkpoint> base = checkpointId == null ? checkpoints.latest(threadId)
                : Optional.of(checkpoints.get(threadId, checkpointId)
                        .orElseThrow(() -> SwitchboardException.NotFound.of("Checkpoint", checkpointId)));
        ConversationState state = base.map(c -> ConversationState.fromJson(c.values())).orElse(ConversationState.EMPTY);
        ObjectNode update = Json.copyObject(values);
        JsonNode messages = update.remove(ConversationState.MESSAGES);
        JsonNode interim = update.remove(ConversationState.INTERIM_MESSAGES);
        if (messages != null && !messages.isNull()) {
            state = state.addMessages(MessageJson.fromJsonList(messages));
        }
        if (interim != null && !interim.isNull()) {
            state = state.withInterimMessages(MessageJson.fromJsonList(interim));
        }
        state = state.withExtra(update);
        ObjectNode metadata = Json.object();
        List<String> next = List.of();
        Optional<dev.switchboard.checkpoint.Pause> pause = base.flatMap(Checkpoint::pause);
        if (pause.isPresent()) {
            // A thread paused for a person stays paused: its pause and next node are carried over, so the decision
            // can still be given. The calls awaiting it must stay the last message (an edit of that message is
            // fine); anything after them would leave them unanswered for ever.
            if (!awaitedCallsLast(state.messages(), pause.get())) {
                throw new SwitchboardException.Conflict("thread_interrupted", "Thread " + threadId
                        + " is waiting for a decision on its tool calls: resume it (command.resume) first, or update"
                        + " only the message that makes the calls");
            }
            metadata.set(dev.switchboard.checkpoint.Pause.METADATA_KEY,
                    base.get().metadata().get(dev.switchboard.checkpoint.Pause.METADATA_KEY));
            next = base.get().next();
        }
        metadata.put("source", Checkpoint.Source.UPDATE.wireName());
        int step = base.map(c -> c.step() + 1).orElse(-1);
        metadata.put("step", step);
        ObjectNode writes = metadata.putObject("writes");
        writes.set(asNode == null ? "__update__" : asNode, Json.copyObject(values));
        metadata.set("parents", Json.object());
        Checkpoint written = new Checkpoint(Ids.newId(), threadId, base.map(Checkpoint::checkpointId).orElse(null),
                null, step, Checkpoint.Source.UPDATE, state.toJson(), next, metadata, clock.instant());
        checkpoints.put(written);
        threads.update(t.withValues(written.values(), clock.instant()));
        return written;
    }

    /** Whether the calls a pause awaits a decision on are still made by the history's last message. */
    private static boolean awaitedCallsLast(List<dev.switchboard.message.Message> messages,
            dev.switchboard.checkpoint.Pause pause) {
        if (pause.callIds().isEmpty()) {
            return true;
        }
        return !messages.isEmpty() && messages.getLast() instanceof dev.switchboard.message.AiMessage ai
                && pause.callIds().stream().allMatch(id -> ai.toolCall(id).isPresent());
    }


    /**
     * Merges {@code metadata} into the metadata of the thread's latest checkpoint (the Agent Server's
     * {@code PATCH /threads/{id}/state}); values and lineage are untouched. A thread without a checkpoint is a
     * {@code Conflict} ({@code no_state}).
     */
    Checkpoint patchStateMetadata(UUID threadId, ObjectNode metadata) {
        thread(threadId);
        // A rollback (on any instance) may delete the checkpoint read here before the write: the write only
        // replaces a checkpoint that still exists, and the patch goes to the new latest instead.
        for (int attempt = 0; attempt < 5; attempt++) {
            Checkpoint latest = checkpoints.latest(threadId).orElseThrow(() -> new SwitchboardException.Conflict(
                    "no_state", "thread " + threadId + " has no state yet to patch; run it or POST its state first"));
            ObjectNode merged = latest.metadata().deepCopy();
            merged.setAll(metadata);
            if (checkpoints.replaceMetadata(threadId, latest.checkpointId(), merged)) {
                return new Checkpoint(latest.checkpointId(), latest.threadId(), latest.parentId(), latest.runId(),
                        latest.step(), latest.source(), latest.values(), latest.next(), merged, latest.createdAt());
            }
        }
        throw SwitchboardException.Conflict.threadBusy(threadId);
    }
}

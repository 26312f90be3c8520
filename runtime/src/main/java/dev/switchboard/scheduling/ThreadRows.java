package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * The thread row's status and values as its runs leave them. Thread status, written once (DESIGN.md §2):
 * <pre>
 *   idle | error ──a main run admitted──► busy ──its last active main run ends──► idle, or error when that run
 *                                                                                  ended in error or timeout
 * </pre>
 * Called only under the thread's slot lock (the scheduler's), as are the other writers of the row
 * ({@link RunScheduler#serialized}), so no write of the row is lost to another.
 */
final class ThreadRows {
    private final ThreadStore threads;
    private final RunStore runs;
    private final CheckpointStore checkpoints;
    private final Clock clock;

    ThreadRows(ThreadStore threads, RunStore runs, CheckpointStore checkpoints, Clock clock) {
        this.threads = threads;
        this.runs = runs;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /**
     * What admitting {@code admitted} changes in its thread's row: busy if it is a main-lane run, and the graph
     * and assistant it runs recorded if the thread names none yet. Its values are untouched (admission writes no
     * checkpoint). Called inside the admission's transaction ({@link RunStore#atomically}): store calls only.
     * A thread deleted since the caller read it refuses the run, and the transaction with it: a deletion holds
     * the thread as admission does, so the row is read here after any deletion that began first.
     */
    void admitted(Run admitted, String graphId) {
        ConversationThread thread = requireThread(admitted.threadId());
        ConversationThread next = thread;
        ObjectNode metadata = thread.metadata();
        if (graphId != null && (!metadata.has("graph_id") || !metadata.has("assistant_id"))) {
            metadata.put("graph_id", graphId);
            metadata.put("assistant_id", admitted.assistantId().toString());
            next = next.withMetadata(metadata, clock.instant());
        }
        if (admitted.lane() == Lane.MAIN && thread.status() != ThreadStatus.BUSY) {
            next = next.withStatus(ThreadStatus.BUSY, clock.instant());
        }
        if (next != thread) {
            threads.update(next);
        }
    }

    /** The thread's row; {@code NotFound} once it is deleted. */
    ConversationThread requireThread(UUID threadId) {
        return threads.get(threadId).orElseThrow(() -> dev.switchboard.SwitchboardException.NotFound.of("Thread",
                threadId));
    }

    /**
     * Recomputes a thread's status from its main-lane runs (busy while any is active, else the outcome of the
     * run that just ended) and mirrors its latest checkpoint into {@code values}.
     */
    void refresh(UUID threadId, Run ended) {
        refresh(threadId, ended, null);
    }

    /**
     * The same, for a run that is ending but still stored as running ({@code ended} carries the status it is
     * about to get): the thread row is written before the run's stream ends, so a client that reads the thread
     * when its stream ends finds what the run left.
     */
    void refreshEnding(Run ending) {
        refresh(ending.threadId(), ending, ending.runId());
    }

    private void refresh(UUID threadId, Run ended, UUID ending) {
        Optional<ConversationThread> found = threads.get(threadId);
        if (found.isEmpty()) {
            return;
        }
        // Read once: the status (paused or not) and the mirrored values come from the same checkpoint.
        Optional<Checkpoint> latest = checkpoints.latest(threadId);
        ThreadStatus status;
        if (runs.active(threadId, Lane.MAIN).stream().anyMatch(r -> !r.runId().equals(ending))) {
            status = ThreadStatus.BUSY;
        } else if (ended != null && (ended.status() == RunStatus.ERROR || ended.status() == RunStatus.TIMEOUT)) {
            status = ThreadStatus.ERROR;
        } else if (ended == null && found.get().status() == ThreadStatus.ERROR) {
            status = ThreadStatus.ERROR;
        } else if (latest.flatMap(Checkpoint::pause).isPresent()) {
            // Waiting for a person (LangGraph: the last checkpoint has a next node). A rolled-back resume lands
            // here again, since the pause is the latest checkpoint once the resume's are gone.
            status = ThreadStatus.INTERRUPTED;
        } else {
            status = ThreadStatus.IDLE;
        }
        ObjectNode values = latest.map(Checkpoint::values).orElse(null);
        threads.update(found.get().withStatus(status, clock.instant()).withValues(values, clock.instant()));
    }

}

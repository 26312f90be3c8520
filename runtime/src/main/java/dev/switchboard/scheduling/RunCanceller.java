package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.event.EventLog;
import dev.switchboard.message.Message;
import dev.switchboard.operation.LaneLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Owns cancellation (DESIGN.md §2). Under the slot lock:
 * <pre>
 *   running here      → marked with the action (rollback wins over interrupt), its virtual thread interrupted;
 *                       its finish (RunFinisher) applies the action
 *   running elsewhere → the owning instance is told over the cluster channel; its finish applies it
 *   pending           → ends at once: interrupted, or interrupted then deleted for rollback (a run another
 *                       instance claimed meanwhile is left alone); its stream ends saying why
 * </pre>
 * Secondary messages still queued when a lane closes are folded into the interim exchange here as well.
 */
final class RunCanceller {
    private static final Logger LOG = Logger.getLogger(RunCanceller.class.getName());

    private final Scheduling s;
    private final Consumer<Run> admitReport;
    /** Relays a run's events to the other instances (the admitting one mirrors them into its log). */
    private final Consumer<UUID> relay;

    RunCanceller(Scheduling s, Consumer<Run> admitReport, Consumer<UUID> relay) {
        this.s = s;
        this.admitReport = admitReport;
        this.relay = relay;
    }

    /**
     * Cancels a run of a thread. A finished run is left as it is. Returns the run as it stands after the
     * request (empty if it was deleted); with {@code wait}, blocks until a running run has finished.
     */
    Optional<Run> cancel(UUID threadId, UUID runId, CancelAction action, Duration wait)
            throws InterruptedException, TimeoutException {
        Scheduling.ThreadSlot slot = s.slot(threadId);
        slot.lock.lock();
        try {
            Run run = s.runs.get(runId).filter(r -> r.threadId().equals(threadId))
                    .orElseThrow(() -> SwitchboardException.NotFound.of("Run", runId));
            if (run.status().isActive()) {
                cancelLocked(slot, runId, action, null);
            }
        } finally {
            slot.lock.unlock();
        }
        return wait == null ? s.runs.get(runId) : s.completions.await(runId, wait);
    }

    void cancelLocked(Scheduling.ThreadSlot slot, UUID runId, CancelAction action, UUID supersededBy) {
        Scheduling.Execution ex = slot.executing.get(runId);
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
            dev.switchboard.Interruptions.interrupt(ex.worker);
            return;
        }
        Optional<Run> found = s.runs.get(runId);
        if (found.isPresent() && found.get().status() == RunStatus.RUNNING) {
            // Executing on another instance: tell it; its own finish applies the action.
            s.cluster.cancel(found.get().threadId(), runId, action, supersededBy);
            return;
        }
        if (found.isEmpty() || found.get().status() != RunStatus.PENDING) {
            return;
        }
        Run pending = found.get();
        EventLog log = s.events.open(pending.runId(), pending.threadId());
        Optional<Run> result;
        if (action == CancelAction.ROLLBACK) {
            if (s.runs.transition(runId, RunStatus.PENDING, RunStatus.INTERRUPTED).isEmpty()) {
                return;
            }
            s.runs.delete(runId);
            result = Optional.empty();
        } else {
            result = s.runs.transition(runId, RunStatus.PENDING, RunStatus.INTERRUPTED);
            if (result.isEmpty()) {
                return;
            }
        }
        s.endCancelled(log, pending, action, supersededBy);
        if (pending.originInstance() != null && !pending.originInstance().equals(s.owner)) {
            // Its admitting instance's clients stream from the log opened there: they get the end too.
            relay.accept(pending.runId());
        }
        if (pending.lane() == Lane.MAIN) {
            s.rows.refresh(pending.threadId(), result.orElse(null));
        }
        s.completions.complete(runId, result);
        s.listener.ended(pending, result.map(Run::status).orElse(null), null);
        if (pending.lane() == Lane.MAIN && !s.closed) {
            s.reports.afterEnd(pending, false).forEach(admitReport);
        }
    }

    /** Cancels every active run of a thread (before the thread is deleted) and waits for them to end. */
    List<UUID> cancelAll(UUID threadId, CancelAction action, Duration wait) throws InterruptedException {
        List<UUID> ids = new ArrayList<>();
        s.withSlot(threadId, slot -> {
            for (Lane lane : Lane.values()) {
                for (Run r : s.runs.active(threadId, lane)) {
                    ids.add(r.runId());
                    cancelLocked(slot, r.runId(), action, null);
                }
            }
        });
        for (UUID id : ids) {
            try {
                s.completions.await(id, wait);
            } catch (TimeoutException e) {
                LOG.warning("run " + id + " did not end within " + wait + " after a cancel");
            }
        }
        return ids;
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
        s.withSlot(threadId, slot -> {
            for (Run pending : s.runs.active(threadId, Lane.SECONDARY)) {
                if (pending.status() != RunStatus.PENDING) {
                    continue;
                }
                s.lanes.appendInterim(conversation, questionsOf(pending), () -> { });
                LaneLog.step("secondary-folded", "run", pending.runId());
                cancelLocked(slot, pending.runId(), CancelAction.INTERRUPT, null);
            }
        });
    }

    /** A secondary run's question, marked as said on the secondary lane. */
    static List<Message> questionsOf(Run run) {
        List<Message> questions = new ArrayList<>();
        for (Message m : LoopSteps.inputMessages(run.input())) {
            questions.add(m.withAdditionalKwarg("lane", TextNode.valueOf(Lane.SECONDARY.wireName())));
        }
        return questions;
    }
}

package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.event.RunEvent;
import dev.switchboard.message.Message;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns a run's end on this instance (DESIGN.md §2), under the slot lock, on the run's own thread:
 * <pre>
 *   lease lost (taken over, or not renewed in time) → nothing written; the recoverer ends it
 *   rollback    → its checkpoints go (an operation it started survives as its call and state; an exchange its
 *                 synthesis had folded goes back to the interim exchange), the run is deleted, its stream ends
 *   interrupted → its unanswered tool calls are answered, status interrupted, its stream ends saying why
 *   completed   → its stream ends, status success
 *   failed      → its unanswered tool calls are answered, an error event, status error
 * </pre>
 * then the thread row follows, operations it leaves unreported get report runs, the next run starts, and last
 * whoever awaits the run is woken (so they see the thread as the run left it).
 */
final class RunFinisher {
    private static final Logger LOG = Logger.getLogger(RunFinisher.class.getName());
    private static final int CLOSE_RETRIES = 8;

    enum Outcome { COMPLETED, CANCELLED, FAILED }

    private final Scheduling s;
    private final Consumer<Run> admitReport;

    RunFinisher(Scheduling s, Consumer<Run> admitReport) {
        this.s = s;
        this.admitReport = admitReport;
    }

    /**
     * Ends {@code ex}. {@code startNextLocked} starts the thread's next run (called under the slot lock before
     * the waiters are woken); {@code afterStoreFailure} runs when the store failed while ending it.
     */
    void finish(Scheduling.ThreadSlot slot, Scheduling.Execution ex, Outcome outcome, Throwable failure,
            Runnable startNextLocked, Runnable afterStoreFailure) {
        Run run = ex.run;
        slot.lock.lock();
        try {
            ex.finishing = true;
            // A cancel that arrived after the loop's last blocking call must not leak into the writes below.
            java.lang.Thread.interrupted();
            CancelAction action = ex.cancelAction;
            if (failure instanceof LeaseLost || !s.leases.holds(ex.lease)
                    || (action == CancelAction.ROLLBACK && !heldInStore(run))) {
                dropLostLocked(slot, ex);
                return;
            }
            Optional<Run> result = endLocked(ex, outcome, failure, action);
            if (result.isEmpty() && action != CancelAction.ROLLBACK && s.runs.get(run.runId()).isPresent()) {
                // The fenced write was refused: another instance took the run over and ends it.
                dropLostLocked(slot, ex);
                return;
            }
            s.releaseLocked(slot, run.runId());
            if (run.lane() == Lane.MAIN) {
                s.lanes.mainEnded(LoopSteps.namespace(run), run.runId());
            }
            s.listener.ended(run, action == CancelAction.ROLLBACK ? null : result.map(Run::status).orElse(null),
                    ex.cancelRequestedNanos == 0 ? null : Duration.ofNanos(System.nanoTime() - ex.cancelRequestedNanos));
            if (run.lane() == Lane.MAIN) {
                if (!ex.rowWritten) {
                    s.rows.refresh(run.threadId(), result.orElse(null));
                }
                if ((outcome != Outcome.COMPLETED || action != null) && !s.closed) {
                    s.reports.afterEnd(run, outcome == Outcome.FAILED && action == null).forEach(admitReport);
                } else if (run.reportsOperation() == null && !s.closed) {
                    // A report that found the thread paused for a person waited (AgentLoop): a run that may have
                    // answered the pause proposes it again.
                    s.reports.deferred(run).forEach(admitReport);
                }
            }
            startNextLocked.run();
            // Last, so that whoever awaits this run sees the thread as the run left it.
            s.completions.complete(run.runId(), result);
        } catch (LeaseLost e) {
            dropLostLocked(slot, ex);
        } catch (RuntimeException e) {
            // The store failed while finishing: the run stays as the store has it; never leave waiters hanging.
            LOG.log(Level.SEVERE, "could not finish run " + run.runId(), e);
            s.releaseLocked(slot, run.runId());
            ex.log.close();
            s.completions.complete(run.runId(), s.storedOr(run));
            afterStoreFailure.run();
        } finally {
            slot.lock.unlock();
        }
    }

    /** Writes the run's end as its outcome and cancel action say; empty when it was deleted. */
    private Optional<Run> endLocked(Scheduling.Execution ex, Outcome outcome, Throwable failure, CancelAction action) {
        Run run = ex.run;
        if (action == CancelAction.ROLLBACK) {
            // The run's checkpoints and its record go in one transaction holding the thread, and only while the
            // store still shows this instance holding the run.
            if (run.lane() == Lane.MAIN) {
                List<Message> unfolded = s.state.rollBack(run, () -> heldInStore(run), () -> s.runs.delete(run.runId()));
                if (!unfolded.isEmpty()) {
                    s.lanes.restoreInterim(LoopSteps.namespace(run), unfolded);
                }
            } else {
                s.state.deleteSecondary(run, () -> heldInStore(run), () -> s.runs.delete(run.runId()));
            }
            // The log stays retained: a client that reconnects still learns why its stream ended.
            s.endCancelled(ex.log, run, action, ex.supersededBy);
            return Optional.empty();
        }
        if (outcome == Outcome.CANCELLED || (action == CancelAction.INTERRUPT && outcome == Outcome.FAILED)) {
            if (run.lane() == Lane.MAIN) {
                s.state.closeDanglingToolCalls(run, "cancelled: the run was interrupted before this tool returned");
            }
            s.endCancelled(ex.log, run, CancelAction.INTERRUPT, ex.supersededBy);
            return s.runs.finish(run.runId(), s.owner, RunStatus.INTERRUPTED);
        }
        if (outcome == Outcome.COMPLETED) {
            return endStreamThenFinish(ex, RunStatus.SUCCESS);
        }
        if (failure instanceof ResumeOvertakenException) {
            LOG.info("run " + run.runId() + ": " + failure.getMessage());
        } else {
            LOG.log(Level.WARNING, "run " + run.runId() + " failed", failure);
        }
        if (run.lane() == Lane.MAIN) {
            closeAfterFailure(run);
        }
        String name = failure instanceof RecursionLimitException r ? r.errorName()
                : failure instanceof StepTimeoutException ? StepTimeoutException.ERROR_NAME
                : failure instanceof ResumeOvertakenException ? ResumeOvertakenException.ERROR_NAME
                : failure.getClass().getSimpleName();
        ex.log.publish(new RunEvent.Error(name, String.valueOf(failure.getMessage())));
        return endStreamThenFinish(ex, RunStatus.ERROR);
    }

    /**
     * The order a client can rely on: the thread's row first (a client reading the thread when its stream ends
     * finds it idle, interrupted or in error, not busy), then the stream's end, then the run's terminal status
     * (whoever sees a finished run sees an ended stream).
     */
    private Optional<Run> endStreamThenFinish(Scheduling.Execution ex, RunStatus status) {
        Run run = ex.run;
        if (run.lane() == Lane.MAIN) {
            s.rows.refreshEnding(run.withStatus(status, s.clock.instant()));
            ex.rowWritten = true;
        }
        ex.log.close();
        return s.runs.finish(run.runId(), s.owner, status);
    }

    /**
     * A main run that failed leaves no tool call without its result. The store that failed the run may still be
     * failing: then a retry, the next run's input step (RunCheckpoints#input), or recovery closes them.
     */
    private void closeAfterFailure(Run run) {
        try {
            s.state.closeDanglingToolCalls(run, "error: the run failed before this tool returned");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not close the tool calls run " + run.runId() + " left open; retrying", e);
            retryCloseLater(run, 1);
        }
    }

    /** Retries closing (0.1 s, 0.2 s, … at most 8 tries) while the thread has no active main run. */
    private void retryCloseLater(Run run, int attempt) {
        if (attempt > CLOSE_RETRIES) {
            return;
        }
        s.later(() -> s.withSlot(run.threadId(), slot -> {
            try {
                if (s.runs.active(run.threadId(), Lane.MAIN).isEmpty()) {
                    s.state.closeDanglingToolCalls(run, "error: the run failed before this tool returned");
                    s.rows.refresh(run.threadId(), null);
                }
            } catch (RuntimeException e) {
                retryCloseLater(run, attempt + 1);
            }
        }), 100L << (attempt - 1));
    }

    /** The store still shows the run running under this instance (a rollback deletes without a fenced write). */
    private boolean heldInStore(Run run) {
        return s.runs.get(run.runId()).filter(r -> r.status() == RunStatus.RUNNING && s.owner.equals(r.owner()))
                .isPresent();
    }

    /** A run another instance took over: nothing more is written for it here; whoever awaits it here is released. */
    private void dropLostLocked(Scheduling.ThreadSlot slot, Scheduling.Execution ex) {
        UUID runId = ex.run.runId();
        s.releaseLocked(slot, runId);
        LOG.warning("run " + runId + ": this instance no longer holds its lease (taken over, or not renewed in time);"
                + " its outcome here is dropped, and whoever holds or recovers the lease ends it");
        if (!ex.log.isClosed()) {
            ex.log.publish(new RunEvent.LeaseLost(runId));
            ex.log.close();
        }
        s.completions.complete(runId, s.storedOr(ex.run));
    }
}

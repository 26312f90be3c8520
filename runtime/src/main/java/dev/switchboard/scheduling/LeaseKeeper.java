package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Owns this instance's side of run leases (the life of a claim is written once, in {@link Recovery}): the
 * heartbeat that extends the leases of the runs executing here, stopping a run another instance took over, and
 * the takeover of a run whose owner died.
 */
final class LeaseKeeper {
    private static final Logger LOG = Logger.getLogger(LeaseKeeper.class.getName());

    private final Scheduling s;
    private final RunStarter starter;
    private final Consumer<Run> admitReport;

    LeaseKeeper(Scheduling s, RunStarter starter, Consumer<Run> admitReport) {
        this.s = s;
        this.starter = starter;
        this.admitReport = admitReport;
    }

    /**
     * The heartbeat for runs: extends this instance's lease on every run executing here. A run the store no
     * longer shows as this instance's was taken over; it is interrupted and its finish writes nothing.
     */
    void renewLeases() {
        if (s.leased.isEmpty()) {
            return;
        }
        List<UUID> ids = List.copyOf(s.leased.keySet());
        java.time.Instant until = s.clock.instant().plus(s.lease);
        Set<UUID> held = s.runs.renewLeases(s.owner, ids, until);
        for (UUID id : ids) {
            Scheduling.Execution ex = s.leased.get(id);
            if (ex == null) {
                continue;
            }
            if (held.contains(id)) {
                ex.lease.until = until;
                continue;
            }
            s.withSlot(ex.run.threadId(), slot -> {
                if (slot.executing.get(id) == ex && !ex.finishing && !ex.lease.lost) {
                    LOG.warning("run " + id + " was taken over by another instance; stopping it here");
                    ex.lease.lost = true;
                    dev.switchboard.Interruptions.interrupt(ex.worker);
                }
            });
        }
    }

    /**
     * Crash recovery of a run whose owner's lease expired, as {@code seen} in the store: takes it over (unless
     * another recoverer was faster or it moved on), closes its dangling tool calls (an operation still in flight
     * is answered with its state, and reported when it ends), ends it interrupted, frees the thread and starts
     * the next pending run.
     */
    void recoverRun(Run seen) {
        s.withSlot(seen.threadId(), slot -> {
            if (s.closed || slot.executing.containsKey(seen.runId())) {
                return;
            }
            Optional<Run> taken = s.runs.takeOver(seen, s.owner, s.clock.instant().plus(s.lease));
            if (taken.isEmpty()) {
                return;
            }
            Run run = taken.get();
            LOG.info("recovering run " + run.runId() + " of thread " + run.threadId() + " (held by " + seen.owner()
                    + " until " + seen.leaseUntil() + ")");
            if (run.lane() == Lane.MAIN) {
                s.state.closeDanglingToolCalls(run, "cancelled: the server instance running this tool stopped");
                s.lanes.mainEnded(LoopSteps.namespace(run), run.runId());
            } else {
                s.lanes.endSecondary(s.lanes.conversation(LoopSteps.namespace(run)), run, true);
            }
            EventLog log = s.events.open(run.runId(), run.threadId());
            if (!log.isClosed()) {
                log.publish(new RunEvent.RunRecovered(run.runId()));
                log.close();
            }
            Optional<Run> result = s.runs.finish(run.runId(), s.owner, RunStatus.INTERRUPTED);
            s.listener.ended(run, result.map(Run::status).orElse(null), null);
            if (run.lane() == Lane.MAIN) {
                s.rows.refresh(run.threadId(), result.orElse(null));
                if (!s.closed) {
                    s.reports.afterEnd(run, false).forEach(admitReport);
                }
            }
            starter.startNextChecked(slot, run.threadId(), run.lane(), false, 1);
            s.completions.complete(run.runId(), result);
        });
    }
}

package dev.switchboard.run;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Storage port for runs. It owns the two atomic steps the single-active-run rule rests on: admitting a run
 * against the thread's active runs, and claiming the next pending run only while none is running. Every
 * implementation passes the testkit's {@code RunStoreContract}.
 */
public interface RunStore {

    /**
     * In one atomic step: reads the active (pending or running) runs of the candidate's thread and lane,
     * asks {@code rule} what to insert, inserts it as {@code pending}, and returns the active runs it saw
     * (oldest first). If the rule throws, nothing is inserted.
     */
    Admission admit(Run candidate, AdmissionRule rule);

    record Admission(Run admitted, List<Run> activeBefore) {
        public Admission {
            activeBefore = List.copyOf(activeBefore);
        }
    }

    Optional<Run> get(UUID runId);

    /** A thread's runs, newest first. */
    List<Run> list(UUID threadId, RunQuery query);

    /** Pending and running runs of a thread on a lane, oldest first. */
    List<Run> active(UUID threadId, Lane lane);

    /**
     * Moves a run to {@code next} if {@link RunStatus#canTransitionTo} allows it from its current status.
     * Empty when the run is gone or the transition is not allowed (a terminal status never changes).
     */
    Optional<Run> transition(UUID runId, RunStatus next);

    /**
     * Like {@link #transition(UUID, RunStatus)} but only from exactly {@code expected}: a compare-and-set, so a
     * pending run claimed by another instance in the meantime is left alone.
     */
    Optional<Run> transition(UUID runId, RunStatus expected, RunStatus next);

    /**
     * If no run of the thread is running on the lane, marks its oldest pending run that is due
     * ({@link Run#isDue} by the store's clock) running and returns it.
     */
    Optional<Run> claimNext(UUID threadId, Lane lane);

    /** Every pending run of every thread, oldest first: what a (re)started scheduler has to pick up. */
    List<Run> pending();

    boolean delete(UUID runId);

    int deleteByThread(UUID threadId);
}

package dev.switchboard.run;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Storage port for runs. It owns the two atomic steps the single-active-run rule rests on: admitting a run
 * against the thread's active runs, and claiming the next pending run only while none is running. It also
 * keeps each running run's lease (which server instance executes it, until when) and fences the run's end on
 * it, so an instance that lost a run to crash recovery cannot write over the recoverer. Every implementation
 * passes the testkit's {@code RunStoreContract}.
 */
public interface RunStore {

    /**
     * In one atomic step: reads the active (pending or running) runs of the candidate's thread and lane,
     * asks {@code rule} what to insert, inserts it as {@code pending}, and returns the active runs it saw
     * (oldest first). If the rule throws, nothing is inserted.
     */
    Admission admit(Run candidate, AdmissionRule rule);

    /**
     * Runs {@code writes} (calls on this store and on the other stores of the same database) as one
     * transaction: all or nothing, made durable by one commit. A store without transactions (the in-memory
     * ones) just runs them. They may execute on another thread that commits alongside (a group commit), so
     * {@code writes} calls stores only: it takes no lock and waits for nothing.
     */
    default <T> T atomically(java.util.function.Supplier<T> writes) {
        return writes.get();
    }

    /**
     * {@link #active}, read holding the thread's admission lock until the surrounding {@link #atomically} ends:
     * no run of the thread is admitted meanwhile, on any instance. For a write that needs the thread idle (a
     * state update) to stay right until it commits. A store only one process uses just reads.
     */
    default List<Run> activeHoldingAdmissions(UUID threadId, Lane lane) {
        return active(threadId, lane);
    }

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
     * ({@link Run#isDue} by the store's clock) running, held by {@code owner} until {@code leaseUntil}, and
     * returns it.
     */
    Optional<Run> claimNext(UUID threadId, Lane lane, String owner, Instant leaseUntil);

    /**
     * The heartbeat: extends to {@code until} the lease of each of {@code runIds} that is still running and held
     * by {@code owner}, and answers exactly those. A run missing from the answer is no longer this owner's.
     * {@code updatedAt} is left alone.
     */
    Set<UUID> renewLeases(String owner, Collection<UUID> runIds, Instant until);

    /**
     * Crash recovery's compare-and-set: if the run is still running and held exactly as {@code seen} says (same
     * owner, same lease end, nulls included), it becomes held by {@code owner} until {@code leaseUntil}. Empty
     * when anything changed since {@code seen} was read, so of two recoverers only one takes a run.
     */
    Optional<Run> takeOver(Run seen, String owner, Instant leaseUntil);

    /**
     * The fenced end of a run: moves it from running to the terminal {@code end} only if {@code owner} still
     * holds it. Empty, with nothing changed, when it is not running or another instance holds it now (a stale
     * owner's late write).
     */
    Optional<Run> finish(UUID runId, String owner, RunStatus end);

    /**
     * Every running run of every thread, oldest first: what recovery looks at. A running run without a lease
     * (started by {@link #transition}, not {@link #claimNext}) counts as held by nobody.
     */
    List<Run> running();

    /** Every pending run of every thread, oldest first: what a (re)started scheduler has to pick up. */
    List<Run> pending();

    boolean delete(UUID runId);

    int deleteByThread(UUID threadId);

    /** Keep-latest expiry: deletes the thread's finished (terminal) runs; pending and running ones stay. */
    int deleteFinished(UUID threadId);
}

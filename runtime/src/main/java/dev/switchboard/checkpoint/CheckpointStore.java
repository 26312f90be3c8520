package dev.switchboard.checkpoint;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Storage port for checkpoints. A thread's state is its latest checkpoint ("latest" = greatest id; ids are
 * time-ordered UUIDv7). Every implementation passes the testkit's {@code CheckpointStoreContract}.
 */
public interface CheckpointStore {

    void put(Checkpoint checkpoint);

    /**
     * A run's checkpoint, written only if the run is still held by {@code leaseOwner}: the owner check and the
     * write are one statement, so a write that stalled (a pause, a slow network) past another instance's
     * take-over of the run never lands on the new owner's history. False (nothing written) when the run is not
     * {@code leaseOwner}'s, or when the checkpoint names a parent the thread no longer has (a rollback deleted it):
     * a write never lands on a deleted history. Exact against concurrent deletes when called inside
     * {@link #holdingThread}, as every run's write is. A store only one process uses has no one to be fenced from:
     * it checks the parent only.
     */
    default boolean putIfHeld(Checkpoint checkpoint, String leaseOwner) {
        if (checkpoint.parentId() != null && get(checkpoint.threadId(), checkpoint.parentId()).isEmpty()) {
            return false;
        }
        put(checkpoint);
        return true;
    }

    /**
     * Runs {@code work} (reads and writes of this store and the other stores of the same database) as one
     * transaction holding the thread's history: every other {@code holdingThread} of the thread, and every
     * run admission on it, on any instance sharing the store, waits until it ends. A read-modify-write (read the
     * latest checkpoint, write on it) is then one step for every instance, and a rollback's deletes cannot fall
     * between the read and the write. A store only one process uses just runs it (its callers serialise
     * themselves).
     */
    default <T> T holdingThread(UUID threadId, java.util.function.Supplier<T> work) {
        return work.get();
    }

    /**
     * Replaces the metadata of a checkpoint that still exists; false (nothing written) when it is gone. Unlike
     * {@link #put}, never brings back a checkpoint a rollback deleted meanwhile: stores shared by several
     * processes do it in one statement.
     */
    default boolean replaceMetadata(UUID threadId, UUID checkpointId,
            com.fasterxml.jackson.databind.node.ObjectNode metadata) {
        Optional<Checkpoint> found = get(threadId, checkpointId);
        found.ifPresent(c -> put(new Checkpoint(c.checkpointId(), c.threadId(), c.parentId(), c.runId(), c.step(),
                c.source(), c.values(), c.next(), metadata, c.createdAt())));
        return found.isPresent();
    }

    Optional<Checkpoint> get(UUID threadId, UUID checkpointId);

    Optional<Checkpoint> latest(UUID threadId);

    /** Newest first; with {@code before}, only checkpoints older than that one. */
    List<Checkpoint> list(UUID threadId, int limit, UUID before);

    /** Deletes every checkpoint a run wrote: what rollback does. */
    int deleteByRun(UUID threadId, UUID runId);

    /**
     * Rollback of a main run: deletes every checkpoint the run wrote and every checkpoint another run wrote after
     * the run's first (secondary commits built on its state). Checkpoints no run wrote are kept. Returns how many
     * went; 0 when the run wrote none.
     */
    int deleteRunAndLater(UUID threadId, UUID runId);

    int deleteByThread(UUID threadId);

    /**
     * Keep-latest expiry: deletes every checkpoint of the thread but its latest (greatest id). Returns how many
     * went; 0 for a thread with one checkpoint or none.
     */
    int deleteAllButLatest(UUID threadId);
}

package dev.switchboard.thread;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Storage port for threads. Every implementation passes the testkit's {@code ThreadStoreContract}. */
public interface ThreadStore {

    /** Inserts a new thread; a thread with the same id already present is a {@code Conflict} (code {@code thread_exists}). */
    ConversationThread create(ConversationThread thread);

    Optional<ConversationThread> get(UUID threadId);

    /** Replaces a stored thread; a missing one is {@code NotFound}. */
    ConversationThread update(ConversationThread thread);

    boolean delete(UUID threadId);

    List<ConversationThread> search(ThreadQuery query);

    long count(ThreadQuery query);

    /** Sets ({@code ttl} non-null) or clears a thread's ttl; a missing thread is {@code NotFound}. */
    void setTtl(UUID threadId, ThreadTtl ttl);

    /** A thread's ttl; empty when it has none or the thread is missing. */
    Optional<ThreadTtl> ttl(UUID threadId);

    /**
     * Up to {@code limit} threads whose ttl has run out at {@code now} (their {@code updated_at} plus their ttl is
     * not after {@code now}), the longest expired first.
     */
    List<ThreadTtl.Expired> expired(java.time.Instant now, int limit);

    /**
     * Deletes the thread's row only if it is still expired at {@code now}: the one conditional step that lets
     * several sweepers share a database (the loser, and a thread updated since it was found, answer false).
     */
    boolean deleteIfExpired(UUID threadId, java.time.Instant now);

    /**
     * Sets {@code updated_at} to {@code now} only if the thread is still expired at {@code now}: a keep-latest
     * sweep's claim (so of two sweepers one prunes, and the thread's ttl starts again from the prune).
     */
    boolean touchIfExpired(UUID threadId, java.time.Instant now);
}

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
}

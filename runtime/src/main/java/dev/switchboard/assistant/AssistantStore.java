package dev.switchboard.assistant;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Storage port for assistants. Every implementation passes the testkit's {@code AssistantStoreContract}. */
public interface AssistantStore {

    /** Inserts; an existing id is a {@code Conflict} (code {@code assistant_exists}). */
    Assistant create(Assistant assistant);

    Optional<Assistant> get(UUID assistantId);

    /** Replaces a stored assistant (the caller bumps the version); missing is {@code NotFound}. */
    Assistant update(Assistant assistant);

    boolean delete(UUID assistantId);

    /** Ordered by creation time, oldest first. */
    List<Assistant> search(AssistantQuery query);

    long count(AssistantQuery query);
}

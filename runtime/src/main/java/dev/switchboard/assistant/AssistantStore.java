package dev.switchboard.assistant;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Storage port for assistants. Every implementation passes the testkit's {@code AssistantStoreContract}. */
public interface AssistantStore {

    /** Inserts; an existing id is a {@code Conflict} (code {@code assistant_exists}). */
    Assistant create(Assistant assistant);

    Optional<Assistant> get(UUID assistantId);

    /**
     * Replaces the live assistant and records it as its version {@code assistant.version()} (replacing a version
     * of that number, as a system assistant following its manifest does); missing is {@code NotFound}.
     */
    Assistant update(Assistant assistant);

    /** Deletes the assistant and all its versions. */
    boolean delete(UUID assistantId);

    /**
     * The assistant's versions whose metadata contains {@code metadata} (null: all), newest first, paged; each as
     * the assistant was at that version ({@code updatedAt} is when the version was made). Missing is empty.
     */
    List<Assistant> versions(UUID assistantId, com.fasterxml.jackson.databind.node.ObjectNode metadata, int limit,
            int offset);

    /** Makes stored version {@code version} the live one; an unknown assistant or version is {@code NotFound}. */
    Assistant setLatest(UUID assistantId, int version);

    /** Ordered by creation time, oldest first. */
    List<Assistant> search(AssistantQuery query);

    long count(AssistantQuery query);
}

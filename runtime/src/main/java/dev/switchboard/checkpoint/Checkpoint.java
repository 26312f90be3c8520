package dev.switchboard.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A snapshot of a thread's state after one step of a run (or after a state update). {@code runId} is null
 * for checkpoints not written by a run; rollback deletes a run's checkpoints by it. {@code next} names the
 * node that would run next (empty when the run finished there).
 */
public record Checkpoint(
        UUID checkpointId,
        UUID threadId,
        UUID parentId,
        UUID runId,
        int step,
        Source source,
        ObjectNode values,
        List<String> next,
        ObjectNode metadata,
        Instant createdAt) {

    /** Why a checkpoint was written, as LangGraph's checkpoint metadata {@code source} says it. */
    public enum Source {
        INPUT("input"), LOOP("loop"), UPDATE("update"), FORK("fork");

        private final String wireName;

        Source(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Source fromWire(String text) {
            for (Source s : values()) {
                if (s.wireName.equals(text)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown checkpoint source " + text);
        }
    }

    public Checkpoint {
        Objects.requireNonNull(checkpointId, "checkpointId");
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
        values = Json.copyObject(values);
        metadata = Json.copyObject(metadata);
        next = next == null ? List.of() : List.copyOf(next);
    }

    /** Why the run that wrote this checkpoint stopped there for a person, if it did ({@link Pause}). */
    public java.util.Optional<Pause> pause() {
        return Pause.in(metadata);
    }
}

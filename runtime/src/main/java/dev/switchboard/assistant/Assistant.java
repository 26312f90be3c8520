package dev.switchboard.assistant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A configured agent: a graph id plus the config every run of it starts from. */
public record Assistant(
        UUID assistantId,
        String graphId,
        ObjectNode config,
        ObjectNode context,
        ObjectNode metadata,
        int version,
        String name,
        String description,
        Instant createdAt,
        Instant updatedAt) {

    public Assistant {
        Objects.requireNonNull(assistantId, "assistantId");
        Objects.requireNonNull(graphId, "graphId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        config = Json.copyObject(config);
        context = Json.copyObject(context);
        metadata = Json.copyObject(metadata);
        name = name == null ? "Untitled" : name;
        if (version < 1) {
            throw new IllegalArgumentException("version starts at 1");
        }
    }
}

package dev.switchboard.assistant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;

/** An assistant search: graph id, metadata containment, name substring (case-insensitive), a page. */
public record AssistantQuery(String graphId, ObjectNode metadata, String name, int limit, int offset) {
    public AssistantQuery {
        if (limit < 1 || limit > 1000) {
            throw new SwitchboardException.InvalidRequest("limit must be between 1 and 1000, got " + limit);
        }
        if (offset < 0) {
            throw new SwitchboardException.InvalidRequest("offset must not be negative, got " + offset);
        }
        metadata = metadata == null ? null : metadata.deepCopy();
    }

    public static AssistantQuery all() {
        return new AssistantQuery(null, null, null, 1000, 0);
    }
}

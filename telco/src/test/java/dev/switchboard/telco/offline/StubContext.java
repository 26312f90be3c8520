package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.tool.ToolContext;
import java.util.List;
import java.util.UUID;

/** A tool context for producing real tool results to feed the model. */
record StubContext(UUID threadId, UUID runId, String toolCallId) implements ToolContext {
    StubContext() {
        this(UUID.randomUUID(), UUID.randomUUID(), "call_stub");
    }

    @Override
    public ObjectNode configurable() {
        // The conversation of the seeded demo customer, as the server would say.
        return Json.object().put("user_id", "demo");
    }

    @Override
    public List<String> namespace() {
        return List.of("threads", threadId.toString());
    }

    @Override
    public void emit(JsonNode payload) {
    }

    @Override
    public void progress(int percent, String message) {
    }
}

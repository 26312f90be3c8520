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
        return Json.object();
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

package dev.switchboard.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.Message;
import dev.switchboard.tool.ToolSpec;
import java.util.List;

/**
 * What a model is asked: the (already sanitized and trimmed) conversation, system prompt first, the tools it
 * may call on this lane, and the run's {@code configurable} values (knobs such as a scripted model's
 * {@code delay_ms}).
 */
public record ModelRequest(List<Message> messages, List<ToolSpec> tools, ObjectNode configurable) {
    public ModelRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        configurable = Json.copyObject(configurable);
    }
}

package dev.switchboard.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the model answered: text, tool calls, or both. Tool call ids are unique within one message,
 * otherwise one result could not be matched to one call.
 */
public record AiMessage(String id, String content, List<ToolCall> toolCalls, ObjectNode additionalKwargs)
        implements Message {

    public AiMessage {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a message id must not be blank");
        }
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        Set<String> seen = new HashSet<>();
        for (ToolCall call : toolCalls) {
            if (!seen.add(call.id())) {
                throw new IllegalArgumentException("tool call id " + call.id() + " appears twice in one AI message");
            }
        }
        additionalKwargs = Json.copyObject(additionalKwargs);
    }

    public static AiMessage of(String content) {
        return new AiMessage(Message.newId(), content, List.of(), null);
    }

    public static AiMessage ofToolCalls(String content, List<ToolCall> calls) {
        return new AiMessage(Message.newId(), content, calls, null);
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The call with this id, if this message made it. */
    public Optional<ToolCall> toolCall(String toolCallId) {
        return toolCalls.stream().filter(c -> c.id().equals(toolCallId)).findFirst();
    }

    @Override
    public ObjectNode additionalKwargs() {
        return additionalKwargs.deepCopy();
    }

    @Override
    public MessageType type() {
        return MessageType.AI;
    }

    @Override
    public AiMessage withAdditionalKwarg(String key, JsonNode value) {
        ObjectNode kwargs = additionalKwargs.deepCopy();
        kwargs.set(Objects.requireNonNull(key, "key"), value == null ? NullNode.getInstance() : value.deepCopy());
        return new AiMessage(id, content, toolCalls, kwargs);
    }
}

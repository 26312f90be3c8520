package dev.switchboard.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.Objects;

/**
 * The result of one tool call. {@code name} (the tool's name) may be null because OpenAI-style input
 * does not carry it; {@code status} defaults to {@link ToolStatus#SUCCESS} as in LangChain.
 */
public record ToolMessage(String id, String content, String toolCallId, String name, ToolStatus status,
                          ObjectNode additionalKwargs) implements Message {

    public ToolMessage {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a message id must not be blank");
        }
        if (toolCallId == null || toolCallId.isBlank()) {
            throw new IllegalArgumentException("a tool message needs the id of the tool call it answers");
        }
        content = content == null ? "" : content;
        status = status == null ? ToolStatus.SUCCESS : status;
        additionalKwargs = Json.copyObject(additionalKwargs);
    }

    public static ToolMessage success(String toolCallId, String name, String content) {
        return new ToolMessage(Message.newId(), content, toolCallId, name, ToolStatus.SUCCESS, null);
    }

    public static ToolMessage error(String toolCallId, String name, String content) {
        return new ToolMessage(Message.newId(), content, toolCallId, name, ToolStatus.ERROR, null);
    }

    public boolean isError() {
        return status == ToolStatus.ERROR;
    }

    @Override
    public ObjectNode additionalKwargs() {
        return additionalKwargs.deepCopy();
    }

    @Override
    public MessageType type() {
        return MessageType.TOOL;
    }

    @Override
    public ToolMessage withAdditionalKwarg(String key, JsonNode value) {
        ObjectNode kwargs = additionalKwargs.deepCopy();
        kwargs.set(Objects.requireNonNull(key, "key"), value == null ? NullNode.getInstance() : value.deepCopy());
        return new ToolMessage(id, content, toolCallId, name, status, kwargs);
    }
}

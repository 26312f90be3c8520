package dev.switchboard.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.Objects;

/** Instructions to the model (the agent's prompt). */
public record SystemMessage(String id, String content, ObjectNode additionalKwargs) implements Message {

    public SystemMessage {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a message id must not be blank");
        }
        content = content == null ? "" : content;
        additionalKwargs = Json.copyObject(additionalKwargs);
    }

    public static SystemMessage of(String content) {
        return new SystemMessage(Message.newId(), content, null);
    }

    @Override
    public ObjectNode additionalKwargs() {
        return additionalKwargs.deepCopy();
    }

    @Override
    public MessageType type() {
        return MessageType.SYSTEM;
    }

    @Override
    public SystemMessage withAdditionalKwarg(String key, JsonNode value) {
        ObjectNode kwargs = additionalKwargs.deepCopy();
        kwargs.set(Objects.requireNonNull(key, "key"), value == null ? NullNode.getInstance() : value.deepCopy());
        return new SystemMessage(id, content, kwargs);
    }
}

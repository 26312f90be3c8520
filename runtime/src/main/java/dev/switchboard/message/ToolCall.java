package dev.switchboard.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;

/**
 * A model's request to run one tool. The id ties the call to its {@link ToolMessage} result, so it is
 * required; {@code args} is the parsed argument object (never null, handed out as a deep copy).
 */
public record ToolCall(String id, String name, ObjectNode args) {

    public ToolCall {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a tool call id must not be blank");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tool call name must not be blank");
        }
        args = Json.copyObject(args);
    }

    /** A call with a fresh id, in the {@code call_…} shape providers use, for models that mint no ids. */
    public static ToolCall of(String name, ObjectNode args) {
        return new ToolCall("call_" + Ids.newId().toString().replace("-", ""), name, args);
    }

    @Override
    public ObjectNode args() {
        return args.deepCopy();
    }
}

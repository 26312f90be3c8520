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
public record ModelRequest(List<Message> messages, List<ToolSpec> tools, ObjectNode configurable, Purpose purpose,
        SynthesisBrief synthesis) {

    /** Why the runtime asks: models with fixed behaviour (offline, scripted) choose their answer by it. */
    public enum Purpose {
        /** A main-lane turn. */
        ANSWER,
        /** A quick answer on the secondary lane while an operation runs. */
        SECONDARY,
        /** The one answer after an operation ended; {@link #synthesis()} says what it must cover. */
        SYNTHESIS
    }

    public ModelRequest {
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        configurable = Json.copyObject(configurable);
        purpose = purpose == null ? Purpose.ANSWER : purpose;
    }

    /** A request with no synthesis brief (any purpose but {@link Purpose#SYNTHESIS}). */
    public ModelRequest(List<Message> messages, List<ToolSpec> tools, ObjectNode configurable, Purpose purpose) {
        this(messages, tools, configurable, purpose, null);
    }

    public ModelRequest(List<Message> messages, List<ToolSpec> tools, ObjectNode configurable) {
        this(messages, tools, configurable, Purpose.ANSWER);
    }
}

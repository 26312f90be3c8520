package dev.switchboard.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;

/**
 * One chat message. Immutable: every JSON part handed out is a fresh deep copy, so a message stored in a
 * checkpoint cannot change when a caller edits what it got back.
 */
public sealed interface Message permits HumanMessage, AiMessage, ToolMessage, SystemMessage {

    /** Never blank. {@link History#addMessages} replaces by id, so ids must be unique within a thread. */
    String id();

    /** The text; never null, may be empty (an AI message that only calls tools). */
    String content();

    /** Provider- or runtime-specific extras (e.g. {@code lane: "secondary"}); never null, a deep copy. */
    ObjectNode additionalKwargs();

    MessageType type();

    /**
     * A copy with one more (or a replaced) entry in {@code additional_kwargs}; the runtime tags
     * secondary-lane messages this way ({@code lane: "secondary"}).
     */
    Message withAdditionalKwarg(String key, JsonNode value);

    default String text() {
        return content();
    }

    /** A fresh, time-ordered message id, for messages the runtime creates itself. */
    static String newId() {
        return Ids.newId().toString();
    }
}

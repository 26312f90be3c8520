package dev.switchboard.thread;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import java.util.List;

/**
 * A thread's state values: {@code messages}, {@code interim_messages} (the secondary lane's exchange while
 * an operation runs) and any other keys a client set, kept as JSON. Checkpoints store it in its JSON form.
 */
public record ConversationState(List<Message> messages, List<Message> interimMessages, ObjectNode extra) {
    public static final String MESSAGES = "messages";
    public static final String INTERIM_MESSAGES = "interim_messages";

    public static final ConversationState EMPTY = new ConversationState(List.of(), List.of(), null);

    public ConversationState {
        messages = List.copyOf(messages);
        interimMessages = List.copyOf(interimMessages);
        extra = Json.copyObject(extra);
        extra.remove(MESSAGES);
        extra.remove(INTERIM_MESSAGES);
    }

    public static ConversationState fromJson(JsonNode values) {
        if (values == null || values.isNull() || values.isEmpty()) {
            return EMPTY;
        }
        ObjectNode extra = Json.copyObject(values);
        JsonNode messages = extra.remove(MESSAGES);
        JsonNode interim = extra.remove(INTERIM_MESSAGES);
        return new ConversationState(
                messages == null || messages.isNull() ? List.of() : MessageJson.fromJsonList(messages),
                interim == null || interim.isNull() ? List.of() : MessageJson.fromJsonList(interim),
                extra);
    }

    public ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.set(MESSAGES, MessageJson.toJson(messages));
        node.set(INTERIM_MESSAGES, MessageJson.toJson(interimMessages));
        node.setAll(extra.deepCopy());
        return node;
    }

    /** Appends (or replaces by id) messages, LangGraph's add_messages reducer. */
    public ConversationState addMessages(List<? extends Message> added) {
        return new ConversationState(History.addMessages(messages, List.copyOf(added)), interimMessages, extra);
    }

    public ConversationState withMessages(List<Message> newMessages) {
        return new ConversationState(newMessages, interimMessages, extra);
    }

    public ConversationState withInterimMessages(List<Message> newInterim) {
        return new ConversationState(messages, newInterim, extra);
    }

    /** Sets other state keys (last write wins per key). */
    public ConversationState withExtra(ObjectNode updates) {
        ObjectNode merged = extra.deepCopy();
        merged.setAll(Json.copyObject(updates));
        return new ConversationState(messages, interimMessages, merged);
    }
}

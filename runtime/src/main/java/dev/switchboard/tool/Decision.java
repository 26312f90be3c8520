package dev.switchboard.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A person's decision on a tool call that waited for approval, in LangChain's human-in-the-loop shape:
 * {@code approve} runs it, {@code edit} runs it with other arguments, {@code reject} answers it with an error
 * result saying so, {@code respond} answers it with the person's message in the tool's place.
 */
public sealed interface Decision {

    Type type();

    /** The decision kinds, by wire name. */
    enum Type {
        APPROVE("approve"), EDIT("edit"), REJECT("reject"), RESPOND("respond");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Type fromWire(String text) {
            for (Type t : values()) {
                if (t.wireName.equals(text)) {
                    return t;
                }
            }
            throw new SwitchboardException.InvalidRequest("invalid_decision", "unknown decision type '" + text
                    + "' (approve, edit, reject, respond)");
        }
    }

    record Approve() implements Decision {
        public Type type() {
            return Type.APPROVE;
        }
    }

    record Edit(String name, ObjectNode args) implements Decision {
        public Edit {
            Objects.requireNonNull(name, "name");
            args = Json.copyObject(args);
        }

        public Type type() {
            return Type.EDIT;
        }
    }

    record Reject(String message) implements Decision {
        public Type type() {
            return Type.REJECT;
        }
    }

    record Respond(String message) implements Decision {
        public Respond {
            Objects.requireNonNull(message, "message");
        }

        public Type type() {
            return Type.RESPOND;
        }
    }

    /** Reads {@code {decisions: [...]}}, one decision per action request. */
    static List<Decision> listFromJson(JsonNode resume) {
        JsonNode list = resume == null ? null : resume.get("decisions");
        if (list == null || !list.isArray()) {
            throw new SwitchboardException.InvalidRequest("invalid_decision",
                    "an approval is resumed with {\"decisions\": [...]}, one decision per action request");
        }
        List<Decision> decisions = new ArrayList<>();
        for (JsonNode d : list) {
            decisions.add(fromJson(d));
        }
        return decisions;
    }

    static Decision fromJson(JsonNode d) {
        if (d == null || !d.isObject() || !d.path("type").isTextual()) {
            throw new SwitchboardException.InvalidRequest("invalid_decision", "a decision is {\"type\": approve|edit|reject|respond, …}");
        }
        return switch (Type.fromWire(d.get("type").asText())) {
            case APPROVE -> new Approve();
            case EDIT -> {
                JsonNode action = d.get("edited_action");
                if (action == null || !action.isObject() || !action.path("name").isTextual()
                        || (action.has("args") && !action.get("args").isObject())) {
                    throw new SwitchboardException.InvalidRequest("invalid_decision",
                            "an edit decision carries edited_action: {name, args}");
                }
                yield new Edit(action.get("name").asText(), (ObjectNode) action.get("args"));
            }
            case REJECT -> new Reject(d.path("message").isTextual() ? d.get("message").asText() : null);
            case RESPOND -> {
                if (!d.path("message").isTextual()) {
                    throw new SwitchboardException.InvalidRequest("invalid_decision", "a respond decision carries a message");
                }
                yield new Respond(d.get("message").asText());
            }
        };
    }
}

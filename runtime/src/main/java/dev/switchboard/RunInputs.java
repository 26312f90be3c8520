package dev.switchboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.message.MessageJson;
import dev.switchboard.run.Run;
import dev.switchboard.thread.ConversationState;
import java.util.List;

/**
 * The checks a run's request passes before it is admitted, and the config it runs with: whatever a run reads
 * later is refused now with a 4xx, so a bad value never becomes a failed run (or a failed cron firing).
 */
final class RunInputs {
    private RunInputs() {
    }

    /** Everything a run reads later is checked now: a bad value is a 4xx before anything runs, never a failed run. */
    static void validateAtAdmission(Run candidate) {
        JsonNode ns = candidate.configurable().get("namespace_for_memory");
        if (ns != null && !ns.isNull() && !ns.isArray() && !ns.isTextual()) {
            throw new SwitchboardException.InvalidRequest("namespace_for_memory must be a list of labels or a dotted string");
        }
        if (ns != null && ns.isArray()) {
            ns.forEach(label -> {
                if (!label.isTextual()) {
                    throw new SwitchboardException.InvalidRequest("namespace_for_memory labels must be strings");
                }
            });
        }
        new dev.switchboard.store.Namespace(candidate.coordinationNamespace());
        JsonNode config = candidate.kwargs().path("config");
        JsonNode limit = config.get("recursion_limit");
        if (limit != null && !limit.isNull() && (!limit.canConvertToInt() || !limit.isIntegralNumber() || limit.asInt() < 1)) {
            throw new SwitchboardException.InvalidRequest("config.recursion_limit must be a positive integer");
        }
    }

    /** A run's or a cron's {@code input}: an object with messages, a list of messages, or text. */
    static void validateInput(JsonNode input) {
        if (input == null || input.isNull()) {
            return;
        }
        if (input.isObject()) {
            JsonNode messages = input.get(ConversationState.MESSAGES);
            if (messages != null && !messages.isNull()) {
                MessageJson.fromJsonList(messages);
            }
            JsonNode reset = input.get("interim_messages_reset");
            if (reset != null && !reset.isBoolean() && !reset.isNull()) {
                throw new SwitchboardException.InvalidRequest("interim_messages_reset must be a boolean");
            }
            JsonNode threadType = input.get("thread_type");
            if (threadType != null && !threadType.isNull()
                    && !List.of("auto", "main", "secondary").contains(threadType.asText())) {
                throw new SwitchboardException.InvalidRequest("thread_type must be auto, main or secondary");
            }
            return;
        }
        if (input.isArray() || input.isTextual()) {
            MessageJson.fromJsonList(input);
            return;
        }
        throw new SwitchboardException.InvalidRequest("input must be an object with messages, a list of messages or text");
    }

    /** assistant config &lt; thread config &lt; run config; {@code configurable} merged key by key. */
    static ObjectNode mergeConfig(ObjectNode... layers) {
        ObjectNode merged = Json.object();
        ObjectNode configurable = Json.object();
        for (ObjectNode layer : layers) {
            if (layer == null) {
                continue;
            }
            layer.fields().forEachRemaining(e -> {
                if (e.getKey().equals("configurable") && e.getValue().isObject()) {
                    configurable.setAll(((ObjectNode) e.getValue()).deepCopy());
                } else {
                    merged.set(e.getKey(), e.getValue().deepCopy());
                }
            });
        }
        merged.set("configurable", configurable);
        return merged;
    }
}

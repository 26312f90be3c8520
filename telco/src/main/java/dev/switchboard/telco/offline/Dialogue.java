package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.offline.Knowledge.SlotValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the model remembers between turns, kept in its own messages' {@code additional_kwargs.telco_offline}
 * (persisted with the thread like any message, so any server instance can continue the conversation): a
 * question it is waiting for an answer to, a side-effecting request it held back on the secondary lane, and
 * slow requests queued behind quick ones asked in the same message.
 */
final class Dialogue {
    static final String KWARG = "telco_offline";
    /** The slot name that stands for a yes/no confirmation. */
    static final String CONFIRM = "confirm";
    /** The slot name that stands for "is this what you meant?": a yes does the intent, anything else is read afresh. */
    static final String CLARIFY = "clarify";

    private Dialogue() {
    }

    /**
     * An unfinished request: {@code intent} with the slots known so far, waiting for {@code slot} (or for a
     * yes, when the slot is {@link #CONFIRM}). A soft wait was an offer, not a question: an answer that does
     * not fit simply starts a new request.
     */
    record Pending(String intent, String slot, Map<String, SlotValue> slots, boolean soft) {
        Pending {
            slots = Map.copyOf(slots);
        }

        Pending with(String name, SlotValue value) {
            Map<String, SlotValue> more = new LinkedHashMap<>(slots);
            more.put(name, value);
            return new Pending(intent, slot, more, soft);
        }
    }

    static ObjectNode kwargs(Pending pending, Pending deferred) {
        ObjectNode kwargs = Json.object();
        if (pending == null && deferred == null) {
            return kwargs;
        }
        ObjectNode state = kwargs.putObject(KWARG);
        if (pending != null) {
            state.set("pending", write(pending));
        }
        if (deferred != null) {
            state.set("deferred", write(deferred));
        }
        return kwargs;
    }

    /** Adds requests to start once this message's tool results are in: the slow half of a several-request message. */
    static void queue(ObjectNode kwargs, List<Pending> requests) {
        ArrayNode queue = kwargs.with(KWARG).putArray("queued");
        requests.forEach(p -> queue.add(write(p)));
    }

    static List<Pending> queued(JsonNode kwargs) {
        List<Pending> out = new ArrayList<>();
        kwargs.path(KWARG).path("queued").forEach(node -> read(node).ifPresent(out::add));
        return List.copyOf(out);
    }

    static Optional<Pending> pending(JsonNode kwargs) {
        return read(kwargs.path(KWARG).path("pending"));
    }

    static Optional<Pending> deferred(JsonNode kwargs) {
        return read(kwargs.path(KWARG).path("deferred"));
    }

    private static ObjectNode write(Pending p) {
        ObjectNode out = Json.object();
        out.put("intent", p.intent());
        if (p.slot() != null) {
            out.put("slot", p.slot());
        }
        out.put("soft", p.soft());
        ObjectNode slots = out.putObject("slots");
        p.slots().forEach((name, v) -> slots.putObject(name).put("value", v.value()).put("label", v.label()));
        return out;
    }

    private static Optional<Pending> read(JsonNode node) {
        if (!node.isObject() || !node.path("intent").isTextual()) {
            return Optional.empty();
        }
        Map<String, SlotValue> slots = new LinkedHashMap<>();
        node.path("slots").fields().forEachRemaining(e -> slots.put(e.getKey(), new SlotValue(
                e.getValue().path("value").asText(), e.getValue().path("label").asText(null), List.of(), List.of())));
        JsonNode slot = node.get("slot");
        return Optional.of(new Pending(node.path("intent").asText(), slot == null || slot.isNull() ? null : slot.asText(),
                slots, node.path("soft").asBoolean(false)));
    }
}

package dev.switchboard.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a synthesis must cover (DESIGN.md §3 item 3): the outcome of each operation that ended and the exchange
 * on the secondary lane while it ran. Part of a {@link ModelRequest} whose purpose is
 * {@link ModelRequest.Purpose#SYNTHESIS}, for models that write the answer from data (offline, scripted); a
 * vendor model reads the same facts from the conversation itself.
 */
public record SynthesisBrief(List<Outcome> operations, List<Message> interim) {

    /** One ended operation: its tool and arguments, its terminal status and its result or error in words. */
    public record Outcome(String operationId, String tool, ObjectNode arguments, String status, String outcome) {
        public Outcome {
            Objects.requireNonNull(operationId, "operationId");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(status, "status");
            arguments = Json.copyObject(arguments);
            outcome = outcome == null ? "" : outcome;
        }
    }

    public SynthesisBrief {
        operations = List.copyOf(operations);
        interim = List.copyOf(interim);
    }

    /** {@code {"operations": [...], "interim_messages": [...]}}, the brief's JSON form. */
    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        ArrayNode ops = out.putArray("operations");
        for (Outcome o : operations) {
            ObjectNode op = ops.addObject();
            op.put("operation_id", o.operationId());
            op.put("tool", o.tool());
            op.set("arguments", o.arguments());
            op.put("status", o.status());
            op.put("outcome", o.outcome());
        }
        out.set("interim_messages", MessageJson.toJson(interim));
        return out;
    }

    /** The brief a {@link #toJson()} form describes. */
    public static SynthesisBrief fromJson(JsonNode json) {
        List<Outcome> ops = new ArrayList<>();
        for (JsonNode op : json.path("operations")) {
            ops.add(new Outcome(op.path("operation_id").asText(), op.path("tool").asText(),
                    op.path("arguments").isObject() ? (ObjectNode) op.path("arguments") : null,
                    op.path("status").asText(), op.path("outcome").asText("")));
        }
        JsonNode interim = json.path("interim_messages");
        return new SynthesisBrief(ops, interim.isArray() ? MessageJson.fromJsonList(interim) : List.of());
    }
}

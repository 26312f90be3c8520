package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;

/**
 * A run's {@code command}: how it continues a paused thread instead of starting from new input. {@code resume}
 * is the value handed to the pending interrupt (or, keyed by interrupt id, to the one named), {@code update}
 * state values applied before continuing, {@code goTo} the node to continue at ({@code agent} or {@code tools}).
 * Absent parts are null; at least one part is present.
 */
public record Command(JsonNode resume, ObjectNode update, String goTo) {
    public static final String KEY = "command";

    public Command {
        resume = resume == null || resume.isMissingNode() ? null : resume.deepCopy();
        update = update == null ? null : update.deepCopy();
        if (goTo != null && !Breakpoints.NODES.contains(goTo)) {
            throw new SwitchboardException.InvalidRequest("unknown_node",
                    "command.goto names no node of this graph: '" + goTo + "' (nodes: agent, tools)");
        }
        if (resume == null && update == null && goTo == null) {
            throw new SwitchboardException.InvalidRequest("invalid_command",
                    "command needs at least one of resume, update and goto");
        }
    }

    public boolean hasResume() {
        return resume != null;
    }

    /**
     * Reads the wire form. {@code update} is an object or a list of {@code [key, value]} pairs; {@code goto} a node
     * name or {@code {node}} (a {@code Send} with its own input has no meaning for this loop and is refused).
     */
    public static Command fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new SwitchboardException.InvalidRequest("invalid_command", "command must be a JSON object");
        }
        node.fieldNames().forEachRemaining(f -> {
            if (!f.equals("resume") && !f.equals("update") && !f.equals("goto")) {
                throw new SwitchboardException.InvalidRequest("invalid_command", "command has no field '" + f
                        + "' (fields: resume, update, goto)");
            }
        });
        JsonNode resume = node.has("resume") ? node.get("resume") : null;
        ObjectNode update = null;
        JsonNode u = node.get("update");
        if (u != null && !u.isNull()) {
            if (u.isObject()) {
                update = (ObjectNode) u;
            } else if (u.isArray()) {
                update = Json.object();
                for (JsonNode pair : u) {
                    if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()) {
                        throw new SwitchboardException.InvalidRequest("invalid_command",
                                "command.update as a list holds [key, value] pairs");
                    }
                    update.set(pair.get(0).asText(), pair.get(1));
                }
            } else {
                throw new SwitchboardException.InvalidRequest("invalid_command",
                        "command.update must be an object or a list of [key, value] pairs");
            }
        }
        String goTo = null;
        JsonNode g = node.get("goto");
        if (g != null && !g.isNull()) {
            if (g.isTextual()) {
                goTo = g.asText();
            } else if (g.isObject() && g.path("node").isTextual() && g.size() == 1) {
                goTo = g.get("node").asText();
            } else {
                throw new SwitchboardException.InvalidRequest("invalid_command", "command.goto must be a node name "
                        + "(agent or tools); a Send with its own input or a list of them has no meaning for this graph");
            }
        }
        return new Command(resume, update, goTo);
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        if (resume != null) {
            n.set("resume", resume.deepCopy());
        }
        if (update != null) {
            n.set("update", update.deepCopy());
        }
        if (goTo != null) {
            n.put("goto", goTo);
        }
        return n;
    }
}

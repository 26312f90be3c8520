package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code interrupt_before} and {@code interrupt_after}: the nodes of the loop ({@code agent}, {@code tools}) a run
 * pauses before or after; {@code "*"} names both.
 */
public record Breakpoints(Set<String> before, Set<String> after) {
    public static final String BEFORE_KEY = "interrupt_before";
    public static final String AFTER_KEY = "interrupt_after";
    /** The loop's nodes, the names a breakpoint or a {@code goto} may use. */
    public static final Set<String> NODES = Set.of("agent", "tools");
    public static final Breakpoints NONE = new Breakpoints(Set.of(), Set.of());

    public Breakpoints {
        before = Set.copyOf(before);
        after = Set.copyOf(after);
    }

    public boolean before(String node) {
        return before.contains("*") || before.contains(node);
    }

    public boolean after(String node) {
        return after.contains("*") || after.contains(node);
    }

    public boolean isEmpty() {
        return before.isEmpty() && after.isEmpty();
    }

    /** Reads one field's wire form: {@code "*"}, a node name, or a list of them; null for absent. */
    public static Set<String> nodes(String field, JsonNode value) {
        Set<String> nodes = new LinkedHashSet<>();
        if (value == null || value.isNull()) {
            return nodes;
        }
        if (value.isTextual()) {
            nodes.add(checked(field, value.asText()));
        } else if (value.isArray()) {
            for (JsonNode n : value) {
                if (!n.isTextual()) {
                    throw new SwitchboardException.InvalidRequest("invalid_field", field + " lists node names");
                }
                nodes.add(checked(field, n.asText()));
            }
        } else {
            throw new SwitchboardException.InvalidRequest("invalid_field", field + " must be \"*\" or a list of node names");
        }
        return nodes;
    }

    private static String checked(String field, String node) {
        if (!node.equals("*") && !NODES.contains(node)) {
            throw new SwitchboardException.InvalidRequest("unknown_node", field + " names no node of this graph: '"
                    + node + "' (nodes: agent, tools, or \"*\")");
        }
        return node;
    }

    public static ArrayNode toJson(Set<String> nodes) {
        ArrayNode a = Json.array();
        nodes.forEach(a::add);
        return a;
    }
}

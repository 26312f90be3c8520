package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;

/**
 * What {@code /assistants/{id}/graph} and {@code /schemas} say about an agent, drawn from its definition rather
 * than a fixed stub: the loop every agent runs (agent → tools → agent, and, when it has long-running tools,
 * agent → operation → synthesis), each tool node naming its tools with how they run, and the state, input and
 * config the runtime really reads.
 */
final class GraphDrawing {
    private GraphDrawing() {
    }

    static ObjectNode graph(AgentGraph agent) {
        ObjectNode out = Json.object();
        ArrayNode nodes = out.putArray("nodes");
        ArrayNode edges = out.putArray("edges");
        nodes.addObject().put("id", "__start__").put("type", "schema").put("data", "__start__");
        node(nodes, "agent").put("system_prompt", agent.systemPrompt());
        boolean quick = agent.tools().stream().anyMatch(t -> t.spec().kind() == ToolKind.QUICK);
        boolean slow = agent.tools().stream().anyMatch(t -> t.spec().kind() == ToolKind.LONG_RUNNING);
        edge(edges, "__start__", "agent", false);
        if (quick) {
            tools(node(nodes, "tools"), agent, ToolKind.QUICK);
            edge(edges, "agent", "tools", true);
            edge(edges, "tools", "agent", false);
        }
        if (slow) {
            // A long-running tool runs in the background; its end brings the agent back once, to synthesise.
            tools(node(nodes, "operation"), agent, ToolKind.LONG_RUNNING);
            node(nodes, "synthesis").put("prompt", agent.synthesisPrompt());
            edge(edges, "agent", "operation", true);
            edge(edges, "operation", "synthesis", false);
            edge(edges, "synthesis", "__end__", false);
        }
        nodes.addObject().put("id", "__end__").put("type", "schema").put("data", "__end__");
        edge(edges, "agent", "__end__", true);
        return out;
    }

    private static ObjectNode node(ArrayNode nodes, String id) {
        ObjectNode node = nodes.addObject().put("id", id).put("type", "runnable");
        return node.putObject("data").put("name", id);
    }

    private static void tools(ObjectNode data, AgentGraph agent, ToolKind kind) {
        ArrayNode list = data.putArray("tools");
        for (Tool tool : agent.tools()) {
            ToolSpec s = tool.spec();
            if (s.kind() != kind) {
                continue;
            }
            ObjectNode t = list.addObject().put("name", s.name()).put("description", s.description())
                    .put("kind", s.kind().wireName());
            if (kind == ToolKind.LONG_RUNNING) {
                t.put("nominal_seconds", s.nominalDuration().toMillis() / 1000.0).put("side_effects", s.sideEffects())
                        .put("idempotent", s.idempotent()).put("point_of_no_return", s.pointOfNoReturn());
            }
        }
    }

    private static void edge(ArrayNode edges, String source, String target, boolean conditional) {
        ObjectNode edge = edges.addObject().put("source", source).put("target", target);
        if (conditional) {
            edge.put("conditional", true);
        }
    }

    static ObjectNode schemas(AgentGraph agent) {
        ObjectNode out = Json.object();
        out.put("graph_id", agent.graphId());
        ObjectNode message = Json.object().put("type", "object");
        ObjectNode mp = message.putObject("properties");
        mp.putObject("type").put("type", "string").putArray("enum").add("human").add("ai").add("tool").add("system");
        mp.putObject("content").put("type", "string");
        mp.putObject("id").put("type", "string");
        message.putArray("required").add("content");
        ObjectNode messages = Json.object().put("type", "array");
        messages.set("items", message);

        ObjectNode input = out.putObject("input_schema").put("type", "object").put("title", "Input");
        ObjectNode ip = input.putObject("properties");
        ArrayNode either = ip.putObject("messages").put("description", "new messages (a string is one human message)")
                .putArray("anyOf");
        either.addObject().put("type", "string");
        either.add(messages.deepCopy());
        ip.putObject("thread_type").put("type", "string").put("description", "\"secondary\" to ask on the secondary lane");
        ip.putObject("interim_messages_reset").put("type", "boolean");

        ObjectNode state = out.putObject("state_schema").put("type", "object").put("title", "State");
        ObjectNode sp = state.putObject("properties");
        sp.set("messages", messages.deepCopy());
        sp.set("interim_messages", messages.deepCopy().put("description",
                "the secondary lane's exchange while an operation runs, until its synthesis"));
        out.set("output_schema", state.deepCopy().put("title", "Output"));

        ObjectNode config = out.putObject("config_schema").put("type", "object").put("title", "Configurable");
        ObjectNode cp = config.putObject("properties");
        ObjectNode namespace = cp.putObject("namespace_for_memory").put("type", "array")
                .put("description", "the store namespace the two lanes coordinate through (default [\"threads\", id])");
        namespace.putObject("items").put("type", "string");
        out.putObject("context_schema").put("type", "object");
        return out;
    }
}

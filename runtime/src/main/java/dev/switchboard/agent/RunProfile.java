package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.tool.Tool;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What an assistant's (or a run's) {@code config.configurable} changes about the agent a run talks to: its system
 * prompt ({@code system_prompt}, replacing the graph's), the subset of the graph's tools its model sees and may
 * call ({@code tools}, a list of tool names) and, for an agent with a {@link ModelCatalog}, its model ({@code model},
 * checked here and applied by the graph's model functions). Null means "as the graph defines it". Read from the run's merged
 * {@code configurable}, so a run's own value overrides its thread's and its assistant's, as LangGraph merges.
 */
public record RunProfile(String systemPrompt, Set<String> tools) {
    public static final String SYSTEM_PROMPT_KEY = "system_prompt";
    public static final String TOOLS_KEY = "tools";
    public static final RunProfile GRAPH_DEFAULTS = new RunProfile(null, null);

    public RunProfile {
        if (systemPrompt != null && systemPrompt.isBlank()) {
            throw new SwitchboardException.InvalidRequest("invalid_config",
                    "config.configurable.system_prompt must not be blank; leave it out to use the agent's own");
        }
        tools = tools == null ? null : Set.copyOf(new LinkedHashSet<>(tools));
    }

    /**
     * The profile {@code configurable} asks of {@code graph}: a wrong type is 422 {@code invalid_config}, a tool
     * the graph does not have is 422 {@code unknown_tool}; so what is stored or run always makes sense.
     */
    public static RunProfile of(ObjectNode configurable, AgentGraph graph) {
        if (configurable == null) {
            return GRAPH_DEFAULTS;
        }
        String prompt = null;
        JsonNode p = configurable.get(SYSTEM_PROMPT_KEY);
        if (p != null && !p.isNull()) {
            if (!p.isTextual()) {
                throw new SwitchboardException.InvalidRequest("invalid_config",
                        "config.configurable.system_prompt must be a string");
            }
            prompt = p.asText();
        }
        Set<String> tools = null;
        JsonNode t = configurable.get(TOOLS_KEY);
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                throw new SwitchboardException.InvalidRequest("invalid_config",
                        "config.configurable.tools must be a list of tool names");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode n : t) {
                if (!n.isTextual()) {
                    throw new SwitchboardException.InvalidRequest("invalid_config",
                            "config.configurable.tools must be a list of tool names, got " + n);
                }
                if (graph.tool(n.asText()).isEmpty()) {
                    throw new SwitchboardException.InvalidRequest("unknown_tool", "agent " + graph.graphId()
                            + " has no tool '" + n.asText() + "'; its tools are "
                            + graph.tools().stream().map(x -> x.spec().name()).sorted().toList());
                }
                names.add(n.asText());
            }
            tools = new LinkedHashSet<>(names);
        }
        String model = ModelCatalog.chosen(configurable);
        if (model != null) {
            ModelCatalog catalog = graph.modelCatalog().orElseThrow(() -> new SwitchboardException.InvalidRequest(
                    "invalid_config", "agent " + graph.graphId() + " offers no choice of model; leave out "
                            + "config.configurable.model"));
            catalog.named(model); // an unknown or unreachable model is refused here, before anything is stored
        }
        return new RunProfile(prompt, tools);
    }

    /**
     * {@code graph} as a run with this profile sees it: its prompt and its tools (both lanes; a secondary prompt
     * that was the main one follows the main one). The graph's defaults give back {@code graph} itself.
     */
    public AgentGraph shape(AgentGraph graph) {
        if (systemPrompt == null && tools == null) {
            return graph;
        }
        String secondary = graph.secondarySystemPrompt().equals(graph.systemPrompt()) ? systemPrompt(graph)
                : graph.secondarySystemPrompt();
        return new AgentGraph(graph.graphId(), systemPrompt(graph), graph.model(), allowed(graph.tools()), secondary,
                graph.secondaryModel(), graph.synthesisPrompt());
    }

    /** The system prompt a run uses: this profile's, else the graph's. */
    public String systemPrompt(AgentGraph graph) {
        return systemPrompt != null ? systemPrompt : graph.systemPrompt();
    }

    /** Of {@code available} (in order), the tools this profile lets the model see and call. */
    public List<Tool> allowed(List<Tool> available) {
        return tools == null ? available : available.stream().filter(x -> tools.contains(x.spec().name())).toList();
    }
}

package dev.switchboard.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.model.ChatModel;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A ReAct agent definition, registered under a graph id: which model answers (per run, from the run's
 * {@code configurable}), with which system prompt, and which tools it may call. The runtime runs every
 * graph with the same loop (model → tools → model …), so a definition is data, not code.
 */
public record AgentGraph(
        String graphId,
        String systemPrompt,
        Function<ObjectNode, ChatModel> model,
        List<Tool> tools,
        String secondarySystemPrompt,
        Function<ObjectNode, ChatModel> secondaryModel,
        String synthesisPrompt) {

    public AgentGraph {
        if (graphId == null || graphId.isBlank()) {
            throw new IllegalArgumentException("graphId must not be blank");
        }
        Objects.requireNonNull(model, "model");
        tools = List.copyOf(tools);
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        secondarySystemPrompt = secondarySystemPrompt == null ? systemPrompt : secondarySystemPrompt;
        secondaryModel = secondaryModel == null ? model : secondaryModel;
        synthesisPrompt = synthesisPrompt == null ? DEFAULT_SYNTHESIS_PROMPT : synthesisPrompt;
        var names = tools.stream().map(t -> t.spec().name()).collect(Collectors.toSet());
        if (names.size() != tools.size()) {
            throw new IllegalArgumentException("tool names must be unique in graph " + graphId);
        }
    }

    public static final String DEFAULT_SYNTHESIS_PROMPT = """
            A long-running operation you started has ended. Write one short answer that continues the \
            conversation: state the operation's outcome honestly (done, failed or cancelled) and answer every \
            question the user asked while it ran.""";

    /** A graph with one model and one prompt for both lanes. */
    public static AgentGraph of(String graphId, String systemPrompt, Function<ObjectNode, ChatModel> model,
            List<Tool> tools) {
        return new AgentGraph(graphId, systemPrompt, model, tools, null, null, null);
    }

    public Optional<Tool> tool(String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    public Map<String, Tool> toolsByName() {
        return tools.stream().collect(Collectors.toUnmodifiableMap(t -> t.spec().name(), t -> t));
    }

    /** The quick tools: the secondary lane's set (plus the runtime's own status and cancel tools). */
    public List<Tool> quickTools() {
        return tools.stream().filter(t -> t.spec().kind() == ToolKind.QUICK).toList();
    }
}

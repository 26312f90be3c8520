package dev.switchboard.scripted;

import dev.switchboard.agent.AgentGraph;
import java.util.List;

/** The {@code scripted} graph: the scripted model and the slow tool behind the runtime's agent loop. */
public final class ScriptedAgent {
    public static final String GRAPH_ID = "scripted";

    private ScriptedAgent() {
    }

    public static AgentGraph graph() {
        ScriptedChatModel model = new ScriptedChatModel();
        return AgentGraph.of(GRAPH_ID, "", configurable -> model, List.of(new SlowTool()));
    }

    public static AgentGraph graph(int tokens, long delayMs, int toolSleepMs) {
        ScriptedChatModel model = new ScriptedChatModel(tokens, delayMs);
        return AgentGraph.of(GRAPH_ID, "", configurable -> model, List.of(new SlowTool(toolSleepMs)));
    }
}

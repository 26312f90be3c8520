package dev.switchboard.server.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.util.List;
import java.util.concurrent.Semaphore;

/** The agents the browser tests talk to: the scripted streamer, and a lane graph whose operation a test paces. */
public final class TestAgents {
    public static final String SCRIPTED = ScriptedAgent.GRAPH_ID;
    public static final String LANES = "lanes";
    public static final String CHANGE = "change_plan";

    private TestAgents() {
    }

    /** Streams {@code tokens} tokens {@code delayMs} apart: long enough to double-text into. */
    public static AgentGraph scripted(int tokens, long delayMs) {
        return ScriptedAgent.graph(tokens, delayMs, 0);
    }

    /**
     * "change" starts {@value #CHANGE}, whose steps after the first wait for a permit of {@code gate};
     * "balance" and "status" are quick questions. Words stream {@code delayMs} apart.
     */
    public static AgentGraph lanes(Semaphore gate, long delayMs) {
        ScriptedLaneModel model = new ScriptedLaneModel(List.of(
                new String[] {"cancel", OperationTools.CANCEL_OPERATION},
                new String[] {"how far", OperationTools.CHECK_STATUS},
                new String[] {"status", OperationTools.CHECK_STATUS},
                new String[] {"balance", "get_balance"},
                new String[] {"change", CHANGE}));
        ChatModel paced = (request, listener) -> model.chat(withDelay(request, delayMs), listener);
        Tool balance = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("get_balance", "The data left this month.", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return "3.2 GB left";
            }
        };
        return new AgentGraph(LANES, "You are the main lane.", c -> paced,
                List.of(new ScriptedOperationTool(CHANGE, new RecordingBackend(), gate), balance),
                "You are the secondary lane.", null, null);
    }

    private static ModelRequest withDelay(ModelRequest request, long delayMs) {
        ObjectNode configurable = request.configurable() == null ? dev.switchboard.Json.object()
                : request.configurable().deepCopy();
        configurable.put("delay_ms", delayMs);
        return new ModelRequest(request.messages(), request.tools(), configurable, request.purpose(),
                request.synthesis());
    }
}

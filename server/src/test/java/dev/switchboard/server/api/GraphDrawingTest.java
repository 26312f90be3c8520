package dev.switchboard.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.message.AiMessage;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /graph} draws the agent's real loop and tools, not a stub shared by every agent. */
class GraphDrawingTest {

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    @Test
    void telco_hasAToolsLoop_andAnOperationToSynthesisPath_namingItsToolsAndHowTheyRun() {
        AgentGraph telco = TelcoAgent.graph(new InMemoryTelcoBackend(java.time.Clock.systemUTC()),
                (r, l) -> AiMessage.of(""), (r, l) -> AiMessage.of(""), TelcoSettings.ofScale(0));
        JsonNode graph = GraphDrawing.graph(telco);
        assertThat(texts(graph.path("nodes"), "id"))
                .containsExactly("__start__", "agent", "tools", "operation", "synthesis", "__end__");
        JsonNode operation = graph.path("nodes").get(3).path("data").path("tools");
        assertThat(texts(operation, "name")).containsExactlyInAnyOrder("close_contract", "purchase_roaming_pass",
                "change_package", "get_billing_summary");
        assertThat(operation.findValues("point_of_no_return").toString()).contains("60", "70", "50", "100");
        assertThat(texts(graph.path("nodes").get(2).path("data").path("tools"), "name")).hasSize(5)
                .contains("get_data_balance");
        assertThat(graph.path("edges").toString()).contains("{\"source\":\"operation\",\"target\":\"synthesis\"}",
                "{\"source\":\"tools\",\"target\":\"agent\"}");
    }

    @Test
    void anAgentWithoutTools_isStartAgentEnd() {
        AgentGraph plain = AgentGraph.builder("plain").model((r, l) -> AiMessage.of("hi")).build();
        JsonNode graph = GraphDrawing.graph(plain);
        assertThat(texts(graph.path("nodes"), "id")).containsExactly("__start__", "agent", "__end__");
        assertThat(graph.path("edges")).hasSize(2);
    }
}

package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.langchain4j.LangChain4jAgent;
import dev.switchboard.message.AiMessage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedded start: an application's own agent, served over HTTP from its own {@code main}. */
class EmbeddedServerTest {
    @TempDir
    Path dir;

    /** A quick tool, so the agent's tools show in its assistant's graph. */
    public static final class Greetings {
        @Tool("Says hello.")
        public String hello(String name) {
            return "hello " + name;
        }
    }

    private static AgentGraph greeter() {
        return LangChain4jAgent.builder("greeter")
                .model((request, listener) -> AiMessage.of("hi, " + request.messages().getLast().content()))
                .tools(new Greetings())
                .build();
    }

    @Test
    void builder_servesTheApplicationsAgentOverHttp_withItsConfigDefaults() throws Exception {
        try (EmbeddedServer server = EmbeddedServer.builder()
                .agent(greeter(), (com.fasterxml.jackson.databind.node.ObjectNode) Json.parse(
                        "{\"configurable\": {\"tone\": \"warm\"}}"))
                .databaseUrl("jdbc:sqlite:" + dir.resolve("app.db"))
                .port(0)
                .environment(Map.of())
                .start()) {
            Http http = new Http(server.url());
            var answer = http.post("/runs/wait", Json.parse("""
                    {"assistant_id": "greeter", "input": {"messages": [{"type": "human", "content": "Ada"}]}}"""));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.json().path("messages").get(1).path("content").asText()).isEqualTo("hi, Ada");
            var assistant = http.get("/assistants/" + server.switchboard().assistant("greeter").assistantId());
            assertThat(assistant.json().path("config").path("configurable").path("tone").asText()).isEqualTo("warm");
        }
    }

    @Test
    void noAgent_orAnUnknownDefault_isRefusedBeforeAnythingOpens() {
        assertThatThrownBy(() -> EmbeddedServer.builder().environment(Map.of()).port(0)
                .databaseUrl("jdbc:sqlite:" + dir.resolve("none.db")).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no agent to serve");
        assertThatThrownBy(() -> EmbeddedServer.builder().agent(greeter()).defaultAgent("support").environment(Map.of())
                .port(0).databaseUrl("jdbc:sqlite:" + dir.resolve("none.db")).start())
                .hasMessageContaining("the default agent support is not one of [greeter]");
        assertThat(dir.resolve("none.db")).doesNotExist();
    }
}

package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.scripted.ScriptedAgent;
import org.junit.jupiter.api.Test;

/**
 * The seed's example client, in Java: it calls {@code invoke(input, config, store)} with a string thread id
 * and a memory namespace, turn after turn, and reads {@code messages} and {@code interim_messages} back.
 */
class SeedClientTest {

    private static ObjectNode input(String text, boolean reset) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("role", "user").put("content", text);
        input.put("thread_type", "main");
        input.put("interim_messages_reset", reset);
        return input;
    }

    @Test
    void invoke_turnAfterTurn_returnsTheGrowingConversation() throws Exception {
        try (Switchboard agent = Switchboard.builder().graph(ScriptedAgent.graph(4, 0, 0)).build()) {
            ObjectNode config = Json.object();
            ObjectNode configurable = config.putObject("configurable");
            configurable.put("thread_id", "customer-42");
            configurable.putArray("namespace_for_memory").add("memory").add("customer-42");

            ObjectNode first = agent.invoke(input("Hi, what's my data balance?", true), config, agent.store());
            assertThat(first.path("messages")).hasSize(2);
            assertThat(first.path("messages").get(1).path("content").asText())
                    .startsWith("reply to \"Hi, what's my data balance?\"");
            assertThat(first.has("interim_messages")).isTrue();

            ObjectNode second = agent.invoke(input("Thanks!", true), config, null);
            assertThat(second.path("messages")).hasSize(4);
            assertThat(second.path("messages").get(2).path("type").asText()).isEqualTo("human");
            assertThat(second.path("messages").get(3).path("content").asText()).startsWith("reply to \"Thanks!\"");

            // The same string id always names the same conversation.
            assertThat(agent.thread(Switchboard.threadIdFor("customer-42")).values().path("messages")).hasSize(4);
            assertThat(second.has("__error__")).isFalse();
        }
    }

    @Test
    void invoke_whenTheModelFails_reportsTheErrorAndKeepsTheConversation() throws Exception {
        try (Switchboard agent = Switchboard.builder().graph(ScriptedAgent.graph(4, 0, 0)).build()) {
            ObjectNode config = Json.object();
            config.putObject("configurable").put("thread_id", "customer-7");
            ObjectNode result = agent.invoke(input("please fail now", true), config, null);
            assertThat(result.has("__error__")).isTrue();
            assertThat(result.path("messages")).hasSize(1);
        }
    }
}

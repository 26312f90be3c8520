package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.message.ToolStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversionsTest {

    private static final ToolCall CALL = new ToolCall("call_1", "get_balance",
            (ObjectNode) Json.parse("{\"msisdn\": \"+491511\"}"));

    @Test
    void eachOfOurMessagesBecomesItsLangChain4jCounterpart() {
        List<ChatMessage> out = Conversions.toChatMessages(List.of(
                SystemMessage.of("Be brief."),
                HumanMessage.of("Balance?"),
                AiMessage.ofToolCalls("Let me look.", List.of(CALL)),
                ToolMessage.success("call_1", "get_balance", "12.50 EUR"),
                AiMessage.of("12.50 EUR.")));

        assertThat(out).hasSize(5);
        assertThat(out.get(0)).isEqualTo(dev.langchain4j.data.message.SystemMessage.from("Be brief."));
        assertThat(out.get(1)).isEqualTo(UserMessage.from("Balance?"));
        assertThat(out.get(2)).isInstanceOfSatisfying(dev.langchain4j.data.message.AiMessage.class, ai -> {
            assertThat(ai.text()).isEqualTo("Let me look.");
            assertThat(ai.toolExecutionRequests()).singleElement().satisfies(request -> {
                assertThat(request.id()).isEqualTo("call_1");
                assertThat(request.name()).isEqualTo("get_balance");
                assertThat(Json.parse(request.arguments())).isEqualTo(CALL.args());
            });
        });
        assertThat(out.get(3)).isInstanceOfSatisfying(ToolExecutionResultMessage.class, result -> {
            assertThat(result.id()).isEqualTo("call_1");
            assertThat(result.toolName()).isEqualTo("get_balance");
            assertThat(result.text()).isEqualTo("12.50 EUR");
            assertThat(result.isError()).isNull();
        });
        assertThat(out.get(4)).isEqualTo(dev.langchain4j.data.message.AiMessage.from("12.50 EUR."));
    }

    @Test
    void aToolResultWithoutANameTakesItFromItsCallAndAnErrorResultSaysSo() {
        List<ChatMessage> out = Conversions.toChatMessages(List.of(
                AiMessage.ofToolCalls("", List.of(CALL)),
                new ToolMessage(Message.newId(), "no such line", "call_1", null, ToolStatus.ERROR, null)));

        assertThat(out.get(0)).isInstanceOfSatisfying(dev.langchain4j.data.message.AiMessage.class,
                ai -> assertThat(ai.text()).isNull());
        assertThat(out.get(1)).isInstanceOfSatisfying(ToolExecutionResultMessage.class, result -> {
            assertThat(result.toolName()).isEqualTo("get_balance");
            assertThat(result.isError()).isTrue();
        });
    }

    @Test
    void messagesThatSayNothingAreLeftOut() {
        List<ChatMessage> out = Conversions.toChatMessages(List.of(
                SystemMessage.of("  "),
                HumanMessage.of("Hi"),
                AiMessage.of("")));

        assertThat(out).containsExactly(UserMessage.from("Hi"));
    }
}

package dev.switchboard.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {

    @Test
    void factories_mintDistinctIdsAndEmptyKwargs() {
        HumanMessage a = HumanMessage.of("hi");
        HumanMessage b = HumanMessage.of("hi");
        assertThat(a.id()).isNotBlank().isNotEqualTo(b.id());
        assertThat(a.additionalKwargs()).isEmpty();
        assertThat(a.type()).isEqualTo(MessageType.HUMAN);
        assertThat(a.text()).isEqualTo("hi");
        assertThat(SystemMessage.of("be brief").type()).isEqualTo(MessageType.SYSTEM);
        assertThat(AiMessage.of("ok").hasToolCalls()).isFalse();
        assertThat(ToolMessage.success("c1", "t", "r").status()).isEqualTo(ToolStatus.SUCCESS);
        assertThat(ToolMessage.error("c1", "t", "r").isError()).isTrue();
    }

    @Test
    void constructor_blankId_rejected() {
        assertThatThrownBy(() -> new HumanMessage(" ", "x", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SystemMessage(null, "x", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AiMessage("", "x", List.of(), null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToolMessage("", "x", "c", "t", ToolStatus.SUCCESS, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_nullContentAndKwargs_becomeEmpty() {
        AiMessage ai = new AiMessage("m1", null, null, null);
        assertThat(ai.content()).isEmpty();
        assertThat(ai.toolCalls()).isEmpty();
        assertThat(ai.additionalKwargs()).isEmpty();
        ToolMessage tool = new ToolMessage("m2", null, "c1", null, null, null);
        assertThat(tool.status()).isEqualTo(ToolStatus.SUCCESS);
        assertThat(tool.name()).isNull();
    }

    @Test
    void toolMessage_withoutToolCallId_rejected() {
        assertThatThrownBy(() -> new ToolMessage("m", "x", " ", "t", ToolStatus.SUCCESS, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toolCall_blankIdOrName_rejected() {
        assertThatThrownBy(() -> new ToolCall("", "t", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToolCall("c", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ToolCall("c", "t", null).args()).isEmpty();
        assertThat(ToolCall.of("t", null).id()).startsWith("call_");
    }

    @Test
    void aiMessage_duplicateToolCallIds_rejected() {
        assertThatThrownBy(() -> AiMessage.ofToolCalls("", List.of(new ToolCall("c", "a", null), new ToolCall("c", "b", null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c");
    }

    @Test
    void kwargsAndArgs_areDeepCopies_inAndOut() {
        ObjectNode kwargs = Json.object();
        kwargs.putObject("nested").put("k", 1);
        HumanMessage m = new HumanMessage("m", "x", kwargs);
        kwargs.withObject("/nested").put("k", 2);
        assertThat(m.additionalKwargs().at("/nested/k").asInt()).isEqualTo(1);
        m.additionalKwargs().withObject("/nested").put("k", 3);
        assertThat(m.additionalKwargs().at("/nested/k").asInt()).isEqualTo(1);

        ObjectNode args = Json.object().put("a", 1);
        ToolCall call = new ToolCall("c", "t", args);
        args.put("a", 2);
        call.args().put("a", 3);
        assertThat(call.args().get("a").asInt()).isEqualTo(1);
    }

    @Test
    void toolCalls_listIsImmutableCopy() {
        List<ToolCall> calls = new ArrayList<>(List.of(new ToolCall("c1", "t", null)));
        AiMessage ai = AiMessage.ofToolCalls("", calls);
        calls.add(new ToolCall("c2", "t", null));
        assertThat(ai.toolCalls()).hasSize(1);
        assertThatThrownBy(() -> ai.toolCalls().add(new ToolCall("c3", "t", null)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(ai.hasToolCalls()).isTrue();
        assertThat(ai.toolCall("c1")).isPresent();
        assertThat(ai.toolCall("c2")).isEmpty();
    }

    @Test
    void withAdditionalKwarg_returnsTaggedCopy_keepsOriginal() {
        List<Message> all = List.of(HumanMessage.of("h"), SystemMessage.of("s"), AiMessage.of("a"),
                ToolMessage.success("c", "t", "r"));
        for (Message m : all) {
            Message tagged = m.withAdditionalKwarg("lane", TextNode.valueOf("secondary"));
            assertThat(tagged.getClass()).isEqualTo(m.getClass());
            assertThat(tagged.id()).isEqualTo(m.id());
            assertThat(tagged.content()).isEqualTo(m.content());
            assertThat(tagged.additionalKwargs().get("lane").asText()).isEqualTo("secondary");
            assertThat(m.additionalKwargs().has("lane")).isFalse();
        }
    }

    @Test
    void equality_isStructural() {
        ObjectNode args = Json.object().put("x", 1);
        AiMessage a = new AiMessage("m", "t", List.of(new ToolCall("c", "n", args)), Json.object().put("k", "v"));
        AiMessage b = new AiMessage("m", "t", List.of(new ToolCall("c", "n", args.deepCopy())), Json.object().put("k", "v"));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.withAdditionalKwarg("k", TextNode.valueOf("w")));
    }

    @Test
    void wireNames_matchLangChain() {
        assertThat(MessageType.HUMAN.wireName()).isEqualTo("human");
        assertThat(MessageType.AI.wireName()).isEqualTo("ai");
        assertThat(MessageType.TOOL.wireName()).isEqualTo("tool");
        assertThat(MessageType.SYSTEM.wireName()).isEqualTo("system");
        assertThat(ToolStatus.SUCCESS.wireName()).isEqualTo("success");
        assertThat(ToolStatus.ERROR.wireName()).isEqualTo("error");
    }
}

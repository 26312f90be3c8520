package dev.switchboard.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageJsonTest {

    private static Message roundTrip(Message m) {
        // Through text as well, so nothing depends on sharing node instances.
        return MessageJson.fromJson(Json.parse(Json.write(MessageJson.toJson(m))));
    }

    @Test
    void roundTrip_human() {
        Message m = HumanMessage.of("hello").withAdditionalKwarg("lane", TextNode.valueOf("secondary"));
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void roundTrip_system() {
        Message m = SystemMessage.of("You are a telco agent.");
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void roundTrip_aiWithToolCalls() {
        ObjectNode args = Json.object().put("package", "XL");
        args.putArray("addons").add("roaming");
        Message m = AiMessage.ofToolCalls("Changing it.", List.of(new ToolCall("call_1", "change_package", args),
                new ToolCall("call_2", "get_data_balance", null)));
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void roundTrip_aiPlain() {
        Message m = AiMessage.of("Your balance is 3 GB.");
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void roundTrip_toolSuccessAndError() {
        Message ok = ToolMessage.success("call_1", "change_package", "{\"done\":true}");
        Message err = ToolMessage.error("call_2", "close_contract", "cancelled");
        assertThat(roundTrip(ok)).isEqualTo(ok);
        assertThat(roundTrip(err)).isEqualTo(err);
        Message noName = new ToolMessage("t1", "x", "call_3", null, ToolStatus.SUCCESS, null);
        assertThat(roundTrip(noName)).isEqualTo(noName);
    }

    @Test
    void toJson_human_hasLangChainShape() {
        HumanMessage m = new HumanMessage("h1", "hi", null);
        assertThat(MessageJson.toJson(m)).isEqualTo(Json.parse("""
                {"content":"hi","additional_kwargs":{},"response_metadata":{},"type":"human",
                 "name":null,"id":"h1","example":false}"""));
    }

    @Test
    void toJson_ai_hasToolCallsInLangChainShape() {
        AiMessage m = new AiMessage("a1", "", List.of(new ToolCall("c1", "get_data_balance", Json.object().put("msisdn", "1"))), null);
        assertThat(MessageJson.toJson(m)).isEqualTo(Json.parse("""
                {"content":"","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":"a1",
                 "example":false,
                 "tool_calls":[{"name":"get_data_balance","args":{"msisdn":"1"},"id":"c1","type":"tool_call"}],
                 "invalid_tool_calls":[],"usage_metadata":null}"""));
    }

    @Test
    void toJson_tool_hasCallIdNameAndStatus() {
        ToolMessage m = new ToolMessage("t1", "3 GB", "c1", "get_data_balance", ToolStatus.ERROR, null);
        assertThat(MessageJson.toJson(m)).isEqualTo(Json.parse("""
                {"content":"3 GB","additional_kwargs":{},"response_metadata":{},"type":"tool",
                 "name":"get_data_balance","id":"t1","tool_call_id":"c1","artifact":null,"status":"error"}"""));
    }

    @Test
    void toJson_list_keepsOrder() {
        List<Message> list = List.of(HumanMessage.of("a"), AiMessage.of("b"));
        JsonNode json = MessageJson.toJson(list);
        assertThat(json).hasSize(2);
        assertThat(json.get(0).get("type").asText()).isEqualTo("human");
        assertThat(json.get(1).get("content").asText()).isEqualTo("b");
    }

    @Test
    void fromJson_sdkStyleInput_withoutId_getsFreshId() {
        Message m = MessageJson.fromJson(Json.parse("{\"type\":\"human\",\"content\":\"hi\"}"));
        assertThat(m).isInstanceOf(HumanMessage.class);
        assertThat(m.content()).isEqualTo("hi");
        assertThat(m.id()).isNotBlank();
        assertThat(MessageJson.fromJson(Json.parse("{\"type\":\"human\",\"content\":\"hi\"}")).id()).isNotEqualTo(m.id());
    }

    @Test
    void fromJson_keepsGivenIdAndKwargs() {
        Message m = MessageJson.fromJson(Json.parse(
                "{\"type\":\"ai\",\"id\":\"run-1\",\"content\":\"x\",\"additional_kwargs\":{\"lane\":\"secondary\"}}"));
        assertThat(m.id()).isEqualTo("run-1");
        assertThat(m.additionalKwargs().get("lane").asText()).isEqualTo("secondary");
    }

    @Test
    void fromJson_openAiStyleRoles() {
        assertThat(MessageJson.fromJson(Json.parse("{\"role\":\"user\",\"content\":\"u\"}"))).isInstanceOf(HumanMessage.class);
        assertThat(MessageJson.fromJson(Json.parse("{\"role\":\"assistant\",\"content\":\"a\"}"))).isInstanceOf(AiMessage.class);
        assertThat(MessageJson.fromJson(Json.parse("{\"role\":\"system\",\"content\":\"s\"}"))).isInstanceOf(SystemMessage.class);
        assertThat(MessageJson.fromJson(Json.parse("{\"type\":\"user\",\"content\":\"u\"}"))).isInstanceOf(HumanMessage.class);
        assertThat(MessageJson.fromJson(Json.parse("{\"type\":\"assistant\",\"content\":\"a\"}"))).isInstanceOf(AiMessage.class);
        Message tool = MessageJson.fromJson(Json.parse("{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"r\"}"));
        assertThat(tool).isInstanceOfSatisfying(ToolMessage.class, t -> {
            assertThat(t.toolCallId()).isEqualTo("call_9");
            assertThat(t.name()).isNull();
            assertThat(t.status()).isEqualTo(ToolStatus.SUCCESS);
        });
    }

    @Test
    void fromJson_openAiToolCalls_parseArgumentString() {
        Message m = MessageJson.fromJson(Json.parse("""
                {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_a","type":"function","function":{"name":"change_package","arguments":"{\\"package\\":\\"XL\\"}"}},
                  {"id":"call_b","type":"function","function":{"name":"get_data_balance","arguments":""}}]}"""));
        assertThat(m).isInstanceOfSatisfying(AiMessage.class, ai -> {
            assertThat(ai.content()).isEmpty();
            assertThat(ai.toolCalls()).containsExactly(
                    new ToolCall("call_a", "change_package", Json.object().put("package", "XL")),
                    new ToolCall("call_b", "get_data_balance", Json.object()));
        });
    }

    @Test
    void fromJson_langChainToolCalls() {
        Message m = MessageJson.fromJson(Json.parse("""
                {"type":"ai","content":"","tool_calls":[{"name":"check_status","args":{"op":"1"},"id":"c1","type":"tool_call"}]}"""));
        assertThat(((AiMessage) m).toolCalls()).containsExactly(new ToolCall("c1", "check_status", Json.object().put("op", "1")));
    }

    @Test
    void fromJson_contentParts_joinTextsAndSkipOthers() {
        Message m = MessageJson.fromJson(Json.parse("""
                {"role":"user","content":[{"type":"text","text":"Hello, "},"world",
                  {"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"!"}]}"""));
        assertThat(m.content()).isEqualTo("Hello, world!");
    }

    @Test
    void fromJson_toolStatusError() {
        Message m = MessageJson.fromJson(Json.parse(
                "{\"type\":\"tool\",\"tool_call_id\":\"c\",\"name\":\"t\",\"content\":\"boom\",\"status\":\"error\"}"));
        assertThat(((ToolMessage) m).status()).isEqualTo(ToolStatus.ERROR);
    }

    @Test
    void fromJson_bareString_isHuman() {
        assertThat(MessageJson.fromJson(TextNode.valueOf("hi"))).isInstanceOf(HumanMessage.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "42",
            "[]",
            "{\"content\":\"no type\"}",
            "{\"type\":\"robot\",\"content\":\"x\"}",
            "{\"type\":7,\"content\":\"x\"}",
            "{\"type\":\"human\",\"content\":{\"text\":\"x\"}}",
            "{\"type\":\"human\",\"content\":[1]}",
            "{\"type\":\"human\",\"content\":[{\"type\":\"text\"}]}",
            "{\"type\":\"human\",\"content\":\"x\",\"id\":5}",
            "{\"type\":\"human\",\"content\":\"x\",\"additional_kwargs\":[]}",
            "{\"type\":\"tool\",\"content\":\"x\"}",
            "{\"type\":\"tool\",\"content\":\"x\",\"tool_call_id\":\"\"}",
            "{\"type\":\"tool\",\"content\":\"x\",\"tool_call_id\":\"c\",\"status\":\"maybe\"}",
            "{\"type\":\"tool\",\"content\":\"x\",\"tool_call_id\":\"c\",\"name\":3}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":{}}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":[\"c\"]}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":[{\"name\":\"t\",\"args\":{}}]}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":[{\"id\":\"c\",\"args\":{}}]}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":[{\"id\":\"c\",\"name\":\"t\",\"args\":[1]}]}",
            "{\"type\":\"ai\",\"content\":\"x\",\"tool_calls\":[{\"id\":\"c\",\"name\":\"t\"},{\"id\":\"c\",\"name\":\"u\"}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"t\",\"arguments\":\"{oops\"}}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"name\":\"t\",\"arguments\":\"[1,2]\"}}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":{\"arguments\":\"{}\"}}]}",
            "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\",\"function\":\"t\"}]}",
    })
    void fromJson_malformed_rejectedAsInvalidMessage(String json) {
        assertThatThrownBy(() -> MessageJson.fromJson(Json.parse(json)))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_message"))
                .hasMessageNotContaining("null");
    }

    @Test
    void fromJson_missingNode_rejected() {
        assertThatThrownBy(() -> MessageJson.fromJson(null)).isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThatThrownBy(() -> MessageJson.fromJsonList(Json.parse("null")))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
    }

    @Test
    void fromJsonList_acceptsArrayObjectOrString() {
        List<Message> list = MessageJson.fromJsonList(Json.parse(
                "[{\"role\":\"user\",\"content\":\"a\"},\"b\",{\"type\":\"ai\",\"content\":\"c\"}]"));
        assertThat(list).extracting(Message::type).containsExactly(MessageType.HUMAN, MessageType.HUMAN, MessageType.AI);
        assertThat(list).extracting(Message::content).containsExactly("a", "b", "c");
        assertThat(MessageJson.fromJsonList(Json.parse("{\"role\":\"user\",\"content\":\"a\"}"))).hasSize(1);
        assertThat(MessageJson.fromJsonList(TextNode.valueOf("just text")))
                .singleElement().isInstanceOf(HumanMessage.class).extracting(Message::content).isEqualTo("just text");
        assertThat(MessageJson.fromJsonList(Json.parse("[]"))).isEmpty();
    }

    @Test
    void fromJsonList_badElement_namesItsIndex() {
        assertThatThrownBy(() -> MessageJson.fromJsonList(Json.parse("[\"ok\",{\"type\":\"tool\",\"content\":\"x\"}]")))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_message"))
                .hasMessageStartingWith("messages[1]: ")
                .hasMessageContaining("tool_call_id");
        assertThatThrownBy(() -> MessageJson.fromJsonList(Json.parse("true")))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
    }

    @Test
    void chunkJson_tokenOnly() {
        assertThat(MessageJson.chunkJson("run-1", " t1", List.of())).isEqualTo(Json.parse("""
                {"content":" t1","additional_kwargs":{},"response_metadata":{},"type":"ai","name":null,"id":"run-1",
                 "example":false,"tool_calls":[],"tool_call_chunks":[],"invalid_tool_calls":[],"usage_metadata":null}"""));
    }

    @Test
    void chunkJson_toolCallChunks_carryArgsAsJsonText() {
        ObjectNode chunk = MessageJson.chunkJson("run-1", "", List.of(
                new ToolCall("c1", "a", Json.object().put("x", 1)), new ToolCall("c2", "b", null)));
        assertThat(chunk.get("tool_calls").get(0)).isEqualTo(Json.parse(
                "{\"name\":\"a\",\"args\":{\"x\":1},\"id\":\"c1\",\"type\":\"tool_call\"}"));
        assertThat(chunk.get("tool_call_chunks")).isEqualTo(Json.parse("""
                [{"name":"a","args":"{\\"x\\":1}","id":"c1","index":0,"type":"tool_call_chunk"},
                 {"name":"b","args":"{}","id":"c2","index":1,"type":"tool_call_chunk"}]"""));
        // A chunk is itself readable as an AI message, which is how clients accumulate them.
        assertThat(MessageJson.fromJson(chunk)).isInstanceOfSatisfying(AiMessage.class,
                ai -> assertThat(ai.toolCalls()).extracting(ToolCall::id).containsExactly("c1", "c2"));
    }

    @Test
    void chunkJson_blankId_rejected() {
        assertThatThrownBy(() -> MessageJson.chunkJson(" ", "x", null)).isInstanceOf(IllegalArgumentException.class);
    }
}

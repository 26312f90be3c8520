package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The OpenAI adapter against a server speaking chat completions SSE, as api.openai.com and compatible servers do. */
class OpenAiWireTest extends ProviderWireContract {

    @Override
    ModelSpec spec() {
        return ModelSpec.parse("openai:gpt-4o-mini");
    }

    @Override
    Map<String, String> env(String baseUrl) {
        return Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", baseUrl + "/v1");
    }

    @Override
    String expectedPath() {
        return "/v1/chat/completions";
    }

    @Override
    String toolCallId() {
        return "call_usage_9";
    }

    @Override
    void streamText(WireServer.Response response, List<String> tokens, boolean finish) throws IOException {
        response.startStream("text/event-stream");
        response.chunk(data(chunk(delta().put("role", "assistant").put("content", ""), null)));
        for (String token : tokens) {
            response.chunk(data(chunk(delta().put("content", token), null)));
        }
        if (finish) {
            finish(response, "stop");
        }
    }

    @Override
    void streamDataUsageCall(WireServer.Response response, String callId) throws IOException {
        response.startStream("text/event-stream");
        response.chunk(data(chunk(delta().put("role", "assistant").put("content", ""), null)));
        response.chunk(data(chunk(delta().put("content", "Checking."), null)));
        // The id and name come first, the arguments after in pieces, each tagged with the call's index.
        response.chunk(data(chunk(toolCallDelta("""
                {"index": 0, "id": "%s", "type": "function", "function": {"name": "get_data_usage", "arguments": ""}}
                """.formatted(callId)), null)));
        response.chunk(data(chunk(toolCallDelta("{\"index\": 0, \"function\": {\"arguments\": \"{\\\"days\\\"\"}}"), null)));
        response.chunk(data(chunk(toolCallDelta("{\"index\": 0, \"function\": {\"arguments\": \": 7}\"}}"), null)));
        finish(response, "tool_calls");
    }

    @Override
    void refuse(WireServer.Response response) throws IOException {
        response.send(401, "application/json", """
                {"error": {"message": "Incorrect API key provided: sk-test.", "type": "invalid_request_error",
                           "param": null, "code": "invalid_api_key"}}
                """);
    }

    @Override
    int refusalStatus() {
        return 401;
    }

    @Override
    String refusalText() {
        return "Incorrect API key provided";
    }

    @Override
    void assertVendorForm(WireServer.Exchange exchange) {
        assertThat(exchange.path).isEqualTo("/v1/chat/completions");
        assertThat(exchange.headers).containsEntry("authorization", "Bearer sk-test");
        JsonNode body = exchange.json();
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.path("stream").asBoolean()).isTrue();

        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(6);
        assertThat(messages.get(0)).isEqualTo(Json.parse("{\"role\": \"system\", \"content\": \"" + SYSTEM_PROMPT + "\"}"));
        assertThat(messages.get(1)).isEqualTo(Json.parse("{\"role\": \"user\", \"content\": \"What is my balance?\"}"));
        JsonNode call = messages.get(2);
        assertThat(call.path("role").asText()).isEqualTo("assistant");
        assertThat(call.path("tool_calls")).hasSize(1);
        assertThat(call.path("tool_calls").get(0).path("id").asText()).isEqualTo(BALANCE_CALL_ID);
        assertThat(call.path("tool_calls").get(0).path("type").asText()).isEqualTo("function");
        assertThat(call.path("tool_calls").get(0).path("function").path("name").asText()).isEqualTo("get_balance");
        assertThat(Json.parse(call.path("tool_calls").get(0).path("function").path("arguments").asText()))
                .isEqualTo(Json.parse("{\"msisdn\": \"+4915112345678\"}"));
        assertThat(messages.get(3)).isEqualTo(Json.parse("""
                {"role": "tool", "tool_call_id": "%s", "content": %s}
                """.formatted(BALANCE_CALL_ID, Json.write(Json.mapper().getNodeFactory().textNode(BALANCE_RESULT)))));
        assertThat(messages.get(4)).isEqualTo(Json.parse("{\"role\": \"assistant\", \"content\": \"Your balance is 12.50 EUR.\"}"));
        assertThat(messages.get(5).path("content").asText()).isEqualTo("And how much data did I use this week?");

        JsonNode tools = body.path("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).path("type").asText()).isEqualTo("function");
        assertThat(tools.get(0).path("function").path("name").asText()).isEqualTo("get_balance");
        assertThat(tools.get(0).path("function").path("description").asText()).isEqualTo(GET_BALANCE.description());
        assertThat(tools.get(0).path("function").path("parameters")).isEqualTo(GET_BALANCE.parameters());
        assertThat(tools.get(1).path("function").path("parameters")).isEqualTo(GET_DATA_USAGE.parameters());
    }

    private static void finish(WireServer.Response response, String reason) throws IOException {
        response.chunk(data(chunk(delta(), reason)));
        response.chunk("data: [DONE]\n\n");
        response.endStream();
    }

    private static ObjectNode delta() {
        return Json.object();
    }

    private static ObjectNode toolCallDelta(String toolCall) {
        ObjectNode delta = Json.object();
        delta.putArray("tool_calls").add(Json.parse(toolCall));
        return delta;
    }

    private static ObjectNode chunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = (ObjectNode) Json.parse("""
                {"id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1730000000,
                 "model": "gpt-4o-mini-2024-07-18", "choices": []}
                """);
        ObjectNode choice = chunk.withArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return chunk;
    }

    private static String data(ObjectNode json) {
        return "data: " + Json.write(json) + "\n\n";
    }
}

package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The Anthropic adapter against a server speaking the Messages API's event stream. */
class AnthropicWireTest extends ProviderWireContract {

    @Override
    ModelSpec spec() {
        return ModelSpec.parse("anthropic:claude-3-5-sonnet-latest");
    }

    @Override
    Map<String, String> env(String baseUrl) {
        return Map.of("ANTHROPIC_API_KEY", "sk-ant-test", "ANTHROPIC_BASE_URL", baseUrl + "/v1");
    }

    @Override
    String expectedPath() {
        return "/v1/messages";
    }

    @Override
    String toolCallId() {
        return "toolu_01A09q90qw90lq917835lq9";
    }

    @Override
    void streamText(WireServer.Response response, List<String> tokens, boolean finish) throws IOException {
        response.startStream("text/event-stream");
        messageStart(response);
        response.chunk(event("content_block_start", "{\"type\": \"content_block_start\", \"index\": 0, "
                + "\"content_block\": {\"type\": \"text\", \"text\": \"\"}}"));
        response.chunk(event("ping", "{\"type\": \"ping\"}"));
        for (String token : tokens) {
            response.chunk(textDelta(0, token));
        }
        if (finish) {
            response.chunk(blockStop(0));
            messageEnd(response, "end_turn");
        }
    }

    @Override
    void streamDataUsageCall(WireServer.Response response, String callId) throws IOException {
        response.startStream("text/event-stream");
        messageStart(response);
        response.chunk(event("content_block_start", "{\"type\": \"content_block_start\", \"index\": 0, "
                + "\"content_block\": {\"type\": \"text\", \"text\": \"\"}}"));
        response.chunk(textDelta(0, "Checking."));
        response.chunk(blockStop(0));
        // A tool_use block opens with id and name; its input follows as pieces of JSON text.
        response.chunk(event("content_block_start", """
                {"type": "content_block_start", "index": 1,
                 "content_block": {"type": "tool_use", "id": "%s", "name": "get_data_usage", "input": {}}}
                """.formatted(callId)));
        response.chunk(inputJsonDelta(1, "{\"days\""));
        response.chunk(inputJsonDelta(1, ": 7}"));
        response.chunk(blockStop(1));
        messageEnd(response, "tool_use");
    }

    @Override
    void refuse(WireServer.Response response) throws IOException {
        response.send(401, "application/json", """
                {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
                """);
    }

    @Override
    int refusalStatus() {
        return 401;
    }

    @Override
    String refusalText() {
        return "invalid x-api-key";
    }

    @Override
    void assertVendorForm(WireServer.Exchange exchange) {
        assertThat(exchange.path).isEqualTo("/v1/messages");
        assertThat(exchange.headers).containsEntry("x-api-key", "sk-ant-test").containsKey("anthropic-version");
        JsonNode body = exchange.json();
        assertThat(body.path("model").asText()).isEqualTo("claude-3-5-sonnet-latest");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(4096);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("system")).isEqualTo(Json.parse("[{\"type\": \"text\", \"text\": \"" + SYSTEM_PROMPT + "\"}]"));

        assertThat(body.path("messages")).isEqualTo(Json.parse("""
                [{"role": "user", "content": [{"type": "text", "text": "What is my balance?"}]},
                 {"role": "assistant", "content": [
                   {"type": "tool_use", "id": "%s", "name": "get_balance", "input": {"msisdn": "+4915112345678"}}]},
                 {"role": "user", "content": [
                   {"type": "tool_result", "tool_use_id": "%s", "content": %s}]},
                 {"role": "assistant", "content": [{"type": "text", "text": "Your balance is 12.50 EUR."}]},
                 {"role": "user", "content": [{"type": "text", "text": "And how much data did I use this week?"}]}]
                """.formatted(BALANCE_CALL_ID, BALANCE_CALL_ID, Json.write(Json.mapper().getNodeFactory().textNode(BALANCE_RESULT)))));

        JsonNode tools = body.path("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).path("name").asText()).isEqualTo("get_balance");
        assertThat(tools.get(0).path("description").asText()).isEqualTo(GET_BALANCE.description());
        assertThat(tools.get(0).path("input_schema")).isEqualTo(GET_BALANCE.parameters());
        assertThat(tools.get(1).path("input_schema")).isEqualTo(GET_DATA_USAGE.parameters());
    }

    private static void messageStart(WireServer.Response response) throws IOException {
        response.chunk(event("message_start", """
                {"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant",
                 "content": [], "model": "claude-3-5-sonnet-20241022", "stop_reason": null, "stop_sequence": null,
                 "usage": {"input_tokens": 25, "output_tokens": 1}}}
                """));
    }

    private static void messageEnd(WireServer.Response response, String stopReason) throws IOException {
        response.chunk(event("message_delta", "{\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \""
                + stopReason + "\", \"stop_sequence\": null}, \"usage\": {\"output_tokens\": 15}}"));
        response.chunk(event("message_stop", "{\"type\": \"message_stop\"}"));
        response.endStream();
    }

    private static String textDelta(int index, String text) {
        ObjectNode delta = Json.object();
        delta.put("type", "content_block_delta");
        delta.put("index", index);
        delta.putObject("delta").put("type", "text_delta").put("text", text);
        return event("content_block_delta", Json.write(delta));
    }

    private static String inputJsonDelta(int index, String partialJson) {
        ObjectNode delta = Json.object();
        delta.put("type", "content_block_delta");
        delta.put("index", index);
        delta.putObject("delta").put("type", "input_json_delta").put("partial_json", partialJson);
        return event("content_block_delta", Json.write(delta));
    }

    private static String blockStop(int index) {
        return event("content_block_stop", "{\"type\": \"content_block_stop\", \"index\": " + index + "}");
    }

    /** One SSE event; the data is written on one line, as Anthropic does. */
    private static String event(String name, String json) {
        return "event: " + name + "\ndata: " + Json.write(Json.parse(json)) + "\n\n";
    }
}

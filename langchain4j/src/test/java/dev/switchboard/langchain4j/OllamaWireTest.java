package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The Ollama adapter against a server speaking {@code /api/chat}'s newline-delimited JSON stream. */
class OllamaWireTest extends ProviderWireContract {

    @Override
    ModelSpec spec() {
        return ModelSpec.parse("ollama:llama3.1");
    }

    @Override
    Map<String, String> env(String baseUrl) {
        return Map.of("OLLAMA_BASE_URL", baseUrl);
    }

    @Override
    String expectedPath() {
        return "/api/chat";
    }

    @Override
    String toolCallId() {
        return "call_usage_9";
    }

    @Override
    void streamText(WireServer.Response response, List<String> tokens, boolean finish) throws IOException {
        response.startStream("application/x-ndjson");
        for (String token : tokens) {
            response.chunk(line(message(token), false));
        }
        if (finish) {
            response.chunk(line(message(""), true));
            response.endStream();
        }
    }

    @Override
    void streamDataUsageCall(WireServer.Response response, String callId) throws IOException {
        response.startStream("application/x-ndjson");
        response.chunk(line(message("Checking."), false));
        // Ollama sends a call whole, with its arguments as an object rather than JSON text.
        ObjectNode call = message("");
        call.putArray("tool_calls").add(Json.parse("""
                {"id": "%s", "function": {"index": 0, "name": "get_data_usage", "arguments": {"days": 7}}}
                """.formatted(callId)));
        response.chunk(line(call, false));
        response.chunk(line(message(""), true));
        response.endStream();
    }

    @Override
    void refuse(WireServer.Response response) throws IOException {
        response.send(404, "application/json", "{\"error\": \"model \\\"llama3.1\\\" not found, try pulling it first\"}");
    }

    @Override
    int refusalStatus() {
        return 404;
    }

    @Override
    String refusalText() {
        return "not found, try pulling it first";
    }

    @Override
    void assertVendorForm(WireServer.Exchange exchange) {
        assertThat(exchange.path).isEqualTo("/api/chat");
        JsonNode body = exchange.json();
        assertThat(body.path("model").asText()).isEqualTo("llama3.1");
        assertThat(body.path("stream").asBoolean()).isTrue();

        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(6);
        assertThat(messages.get(0)).isEqualTo(Json.parse("{\"role\": \"system\", \"content\": \"" + SYSTEM_PROMPT + "\"}"));
        assertThat(messages.get(1)).isEqualTo(Json.parse("{\"role\": \"user\", \"content\": \"What is my balance?\"}"));
        JsonNode call = messages.get(2);
        assertThat(call.path("role").asText()).isEqualTo("assistant");
        assertThat(call.path("tool_calls")).hasSize(1);
        assertThat(call.path("tool_calls").get(0).path("function")).isEqualTo(Json.parse("""
                {"name": "get_balance", "arguments": {"msisdn": "+4915112345678"}}
                """));
        assertThat(messages.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).path("content").asText()).isEqualTo(BALANCE_RESULT);
        assertThat(messages.get(4).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(4).path("content").asText()).isEqualTo("Your balance is 12.50 EUR.");
        assertThat(messages.get(4).path("tool_calls")).isEmpty();
        assertThat(messages.get(5)).isEqualTo(Json.parse(
                "{\"role\": \"user\", \"content\": \"And how much data did I use this week?\"}"));

        JsonNode tools = body.path("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).path("type").asText()).isEqualTo("function");
        assertThat(tools.get(0).path("function").path("name").asText()).isEqualTo("get_balance");
        assertThat(tools.get(0).path("function").path("description").asText()).isEqualTo(GET_BALANCE.description());
        assertThat(tools.get(0).path("function").path("parameters")).isEqualTo(GET_BALANCE.parameters());
        assertThat(tools.get(1).path("function").path("parameters")).isEqualTo(GET_DATA_USAGE.parameters());
    }

    private static ObjectNode message(String content) {
        ObjectNode message = Json.object();
        message.put("role", "assistant");
        message.put("content", content);
        return message;
    }

    private static String line(ObjectNode message, boolean done) {
        ObjectNode line = Json.object();
        line.put("model", "llama3.1");
        line.put("created_at", "2026-11-22T18:15:36.123456Z");
        line.set("message", message);
        line.put("done", done);
        if (done) {
            line.put("done_reason", "stop");
            line.put("total_duration", 181553584L);
            line.put("prompt_eval_count", 36);
            line.put("eval_count", 8);
        }
        return Json.write(line) + "\n";
    }
}

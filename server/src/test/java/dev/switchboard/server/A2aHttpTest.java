package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A2A over plain HTTP with sign-in on: the agent card, message/send, tasks/get, contexts, errors, ownership. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class A2aHttpTest {
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")));
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterAll
    void stop() {
        t.close();
    }

    private static ObjectNode rpc(String method, Object params) {
        return obj("jsonrpc", "2.0", "id", 7, "method", method, "params", params);
    }

    private static Map<String, Object> message(String text, String contextId) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("role", "user", "messageId", "m1",
                "parts", List.of(Map.of("kind", "text", "text", text))));
        if (contextId != null) {
            m.put("contextId", contextId);
        }
        return m;
    }

    @Test
    void agentCard_describesTheAssistant_andNeedsSignIn() {
        JsonNode card = alice.get("/.well-known/agent-card.json?assistant_id=scripted").json();
        assertThat(card.path("name").asText()).isEqualTo("scripted");
        assertThat(card.path("url").asText()).endsWith("/a2a/" + alice.get("/assistants/scripted").json()
                .path("assistant_id").asText());
        assertThat(card.path("protocolVersion").asText()).isEqualTo("0.3.0");
        assertThat(card.path("skills")).hasSize(1);
        assertThat(card.path("securitySchemes").has("apiKey")).isTrue();
        assertThat(alice.get("/a2a/scripted").json().path("name").asText()).isEqualTo("scripted");
        assertThat(t.http.get("/.well-known/agent-card.json?assistant_id=scripted").status()).isEqualTo(401);
        assertThat(t.http.post("/a2a/scripted", rpc("message/send", Map.of("message", message("hi", null))))
                .status()).isEqualTo(401);
        assertThat(alice.get("/.well-known/agent-card.json?assistant_id=nobody").status()).isEqualTo(404);
    }

    @Test
    void messageSend_answersWithACompletedTask_andTheContextCarriesTheConversation() {
        Response first = alice.post("/a2a/scripted", rpc("message/send", Map.of("message", message("hello", null))));
        assertThat(first.status()).isEqualTo(200);
        JsonNode task = first.json().path("result");
        assertThat(first.json().path("id").asInt()).isEqualTo(7);
        assertThat(task.path("kind").asText()).isEqualTo("task");
        assertThat(task.path("status").path("state").asText()).isEqualTo("completed");
        String answer = task.path("artifacts").get(0).path("parts").get(0).path("text").asText();
        assertThat(answer).startsWith("reply to \"hello\"");
        String context = task.path("contextId").asText();

        JsonNode second = alice.post("/a2a/scripted", rpc("message/send", Map.of("message",
                message("again", context)))).json().path("result");
        assertThat(second.path("contextId").asText()).isEqualTo(context);
        JsonNode messages = alice.get("/threads/" + context + "/state").json().path("values").path("messages");
        assertThat(Http.texts(messages, "content")).contains("hello", "again");
        assertThat(alice.get("/threads/" + context).json().path("metadata").path("owner").asText()).isEqualTo("alice");

        JsonNode got = alice.post("/a2a/scripted", rpc("tasks/get", Map.of("id", task.path("id").asText()))).json();
        assertThat(got.path("result").path("status").path("state").asText()).isEqualTo("completed");
        assertThat(got.path("result").path("id").asText()).isEqualTo(task.path("id").asText());
    }

    @Test
    void messageStream_sendsTheTaskStatusUpdatesAndTheAnswerInChunks() {
        Response r = alice.post("/a2a/scripted", rpc("message/stream", Map.of("message", message("stream me", null))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type").orElse("")).startsWith("text/event-stream");
        List<JsonNode> events = r.body().lines().filter(l -> l.startsWith("data: "))
                .map(l -> Json.parse(l.substring(6)).path("result")).toList();
        assertThat(events.getFirst().path("kind").asText()).isEqualTo("task");
        assertThat(events.getFirst().path("status").path("state").asText()).isEqualTo("submitted");
        assertThat(events.get(1).path("status").path("state").asText()).isEqualTo("working");
        StringBuilder answer = new StringBuilder();
        events.stream().filter(e -> e.path("kind").asText().equals("artifact-update"))
                .forEach(e -> answer.append(e.path("artifact").path("parts").get(0).path("text").asText()));
        assertThat(events.stream().filter(e -> e.path("kind").asText().equals("artifact-update")).count())
                .as("one update per token").isGreaterThan(1);
        JsonNode last = events.getLast();
        assertThat(last.path("kind").asText()).isEqualTo("status-update");
        assertThat(last.path("final").asBoolean()).isTrue();
        assertThat(last.path("status").path("state").asText()).isEqualTo("completed");
        String context = events.getFirst().path("contextId").asText();
        JsonNode messages = alice.get("/threads/" + context + "/state").json().path("values").path("messages");
        assertThat(answer.toString()).isEqualTo(messages.get(messages.size() - 1).path("content").asText());
        assertThat(alice.get("/.well-known/agent-card.json?assistant_id=scripted").json().path("capabilities")
                .path("streaming").asBoolean()).isTrue();
    }

    @Test
    void anotherUsersContextOrTask_isNotFound_andNothingRuns() {
        JsonNode task = alice.post("/a2a/scripted", rpc("message/send", Map.of("message", message("mine", null))))
                .json().path("result");
        String context = task.path("contextId").asText();
        JsonNode sendOnAlices = bob.post("/a2a/scripted", rpc("message/send", Map.of("message",
                message("sneak", context)))).json();
        assertThat(sendOnAlices.path("error").path("data").path("code").asText()).isEqualTo("not_found");
        JsonNode getAlices = bob.post("/a2a/scripted", rpc("tasks/get", Map.of("id", task.path("id").asText())))
                .json();
        assertThat(getAlices.path("error").path("code").asInt()).isEqualTo(-32001);
        assertThat(alice.get("/threads/" + context + "/runs").json()).hasSize(1);
    }

    @Test
    void badRequests_areJsonRpcErrorsWithACode() {
        assertThat(alice.post("/a2a/scripted", obj("jsonrpc", "1.0", "method", "x")).json().path("error")
                .path("code").asInt()).isEqualTo(-32600);
        assertThat(alice.post("/a2a/scripted", rpc("agent/dance", Map.of())).json().path("error").path("code")
                .asInt()).isEqualTo(-32601);
        assertThat(alice.post("/a2a/scripted", rpc("message/send", Map.of())).json().path("error").path("data")
                .path("code").asText()).isEqualTo("invalid_params");
        JsonNode file = alice.post("/a2a/scripted", rpc("message/send", Map.of("message", Map.of("role", "user",
                "parts", List.of(Map.of("kind", "file", "file", Map.of())))))).json();
        assertThat(file.path("error").path("data").path("code").asText()).isEqualTo("unsupported");
        assertThat(alice.post("/a2a/scripted", rpc("tasks/get", Map.of("id", "nope"))).json().path("error")
                .path("code").asInt()).isEqualTo(-32001);
        assertThat(alice.post("/a2a/nobody", rpc("tasks/get", Map.of("id", "x"))).json().path("error").path("data")
                .path("code").asText()).isEqualTo("not_found");
        assertThat(alice.post("/a2a/scripted", rpc("message/stream", Map.of())).json().path("error").path("data")
                .path("code").asText()).isEqualTo("invalid_params");
        assertThat(alice.post("/a2a/scripted", rpc("tasks/cancel", Map.of("id", "x"))).json().path("error")
                .path("code").asInt()).isEqualTo(-32002);
    }
}

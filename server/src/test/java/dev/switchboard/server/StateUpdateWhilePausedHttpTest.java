package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.History;
import dev.switchboard.message.MessageJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /threads/{id}/state} on a thread paused for approval (found by R2 over HTTP, seed 48995626064188,
 * docs/reliability.md): the update was written without the pause, so the thread showed
 * {@code interrupted}, refused every resume, and its call awaiting approval was never answered.
 */
class StateUpdateWhilePausedHttpTest {
    private final TestServer t = TestServer.start();

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void stateUpdate_onAThreadPausedForApproval_keepsThePauseAndTheHistoryValid() {
        String thread = t.newThread();
        ObjectNode run = TestServer.lanesRun("please change my plan to gold");
        Http.configurable(run).putObject("interrupt_on").put(TestServer.CHANGE, true);
        t.http.post("/threads/" + thread + "/runs/wait", run);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");

        String before = t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText();
        ObjectNode values = Json.object();
        values.putArray("messages").addObject().put("type", "human").put("content", "a note");
        Http.Response note = t.http.post("/threads/" + thread + "/state", Http.obj("values", values));

        assertThat(note.status()).as("a message after the calls awaiting a decision: %s", note).isEqualTo(409);
        assertThat(note.code()).isEqualTo("thread_interrupted");
        assertThat(t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText())
                .as("changes nothing").isEqualTo(before);

        Http.Response other = t.http.post("/threads/" + thread + "/state",
                Http.obj("values", Json.parse("{\"mood\": \"patient\"}")));
        assertThat(other.status()).as("an update that leaves the messages alone: %s", other).isEqualTo(200);
        JsonNode state = t.http.get("/threads/" + thread + "/state").json();
        assertThat(state.path("values").path("mood").asText()).isEqualTo("patient");
        assertThat(Json.write(state.path("next"))).as("still paused before the tools").isEqualTo("[\"tools\"]");
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");

        // Decided: the history is whole again, whatever the update did.
        ObjectNode resume = Http.obj("assistant_id", "lanes");
        resume.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"reject\"}]}}"));
        assertThat(t.http.post("/threads/" + thread + "/runs/wait", resume).status()).isEqualTo(200);
        JsonNode messages = t.http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        assertThat(History.violations(MessageJson.fromJsonList(messages))).isEmpty();
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("idle");
    }
}

package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.History;
import dev.switchboard.message.MessageJson;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling back a run that answered a pause and started an operation (found by R2 over HTTP, seed 49462395768502,
 * docs/reliability.md): the operation's call was preserved after the call still awaiting approval, which was then
 * never answered, and the pause was lost.
 */
class RollbackOverAPauseHttpTest {
    private final TestServer t = TestServer.start();

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void rollback_ofARunThatAnsweredAPause_restoresThePause_andKeepsItsOperationVisible() {
        String thread = t.newThread();
        ObjectNode ask = TestServer.lanesRun("close my contract");
        Http.configurable(ask).putObject("interrupt_on").put(TestServer.CLOSE, true);
        t.http.post("/threads/" + thread + "/runs/wait", ask);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");

        // A new message answers the pause (the customer wrote again) and starts an operation; then it is rolled back.
        String second = t.http.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan to gold"))
                .json().path("run_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/operations").json()
                .path(0).path("percent").asInt() >= 10);
        t.http.post("/threads/" + thread + "/runs/" + second + "/cancel?action=rollback&wait=true", null);

        JsonNode state = t.http.get("/threads/" + thread + "/state").json();
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).as("the pause is back")
                .isEqualTo("interrupted");
        assertThat(Json.write(state.path("next"))).isEqualTo("[\"tools\"]");
        assertThat(Http.texts(state.path("values").path("messages"), "content").toString())
                .as("the operation stays visible").contains(TestServer.CHANGE);

        t.release();
        ObjectNode resume = Http.obj("assistant_id", "lanes");
        resume.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"reject\"}]}}"));
        assertThat(t.http.post("/threads/" + thread + "/runs/wait", resume).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/runs").json()
                .findValues("status").stream().noneMatch(s -> s.asText().equals("pending") || s.asText().equals("running")));
        JsonNode messages = t.http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        assertThat(History.violations(MessageJson.fromJsonList(messages))).isEmpty();
        assertThat(t.http.get("/threads/" + thread + "/operations").json().path(0).path("reported").asBoolean()).isTrue();
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("idle");
    }
}

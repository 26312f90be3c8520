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
 * An operation that ends while its thread is paused for approval of another call (found by R2 over HTTP, seed
 * 49107535771273, docs/reliability.md): its report was written after the call awaiting the decision, which was
 * then never answered, and the pause was lost.
 */
class ReportWhilePausedHttpTest {
    private final TestServer t = TestServer.start();

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void operationEnding_whileTheThreadIsPausedForApproval_isReportedWithoutBreakingThePause() {
        String thread = t.newThread();
        String first = t.http.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan to gold"))
                .json().path("run_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/operations").json()
                .path(0).path("percent").asInt() >= 10);
        // The run that started the operation is interrupted; the operation goes on, to be reported when it ends.
        t.http.post("/threads/" + thread + "/runs/" + first + "/cancel?action=interrupt&wait=true", null);
        ObjectNode ask = TestServer.lanesRun("close my contract");
        Http.configurable(ask).putObject("interrupt_on").put(TestServer.CLOSE, true);
        t.http.post("/threads/" + thread + "/runs/wait", ask);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");

        t.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/operations").json()
                .path(0).path("status").asText().equals("succeeded"));
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/runs").json()
                .findValues("status").stream().noneMatch(s -> s.asText().equals("pending") || s.asText().equals("running")));

        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).as("still awaiting the decision")
                .isEqualTo("interrupted");
        ObjectNode resume = Http.obj("assistant_id", "lanes");
        resume.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"reject\"}]}}"));
        assertThat(t.http.post("/threads/" + thread + "/runs/wait", resume).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> t.http.get("/threads/" + thread + "/runs").json()
                .findValues("status").stream().noneMatch(s -> s.asText().equals("pending") || s.asText().equals("running")));
        JsonNode messages = t.http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        assertThat(History.violations(MessageJson.fromJsonList(messages))).isEmpty();
        assertThat(t.http.get("/threads/" + thread + "/operations").json().path(0).path("reported").asBoolean())
                .as("the operation's outcome reached the thread").isTrue();
        assertThat(Http.texts(messages, "content").toString()).contains("change_plan succeeded");
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("idle");
    }
}

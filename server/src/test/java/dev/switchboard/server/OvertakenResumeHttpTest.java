package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.History;
import dev.switchboard.message.MessageJson;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A resume is admitted only while its thread is paused, but it may start after another run has answered the
 * pause (seen in R2 over HTTP, docs/reliability.md: it ended in error with an internal message and a stack trace in
 * the log). It must end saying what happened, {@code not_interrupted}, and leave the state as it was.
 */
class OvertakenResumeHttpTest {
    private final TestServer t = TestServer.start();

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void resume_startingAfterAnotherRunAnsweredThePause_endsNotInterrupted_andChangesNothing() throws Exception {
        String thread = t.newThread();
        ObjectNode ask = TestServer.lanesRun("close my contract");
        Http.configurable(ask).putObject("interrupt_on").put(TestServer.CLOSE, true);
        t.http.post("/threads/" + thread + "/runs/wait", ask);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");
        // Admitted while the thread is paused, due a little later.
        ObjectNode resume = Http.obj("assistant_id", "lanes", "after_seconds", 1);
        resume.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"reject\"}]}}"));
        String late = t.http.post("/threads/" + thread + "/runs", resume).json().path("run_id").asText();
        // Meanwhile a message answers the pause (due at once, so it starts first).
        String answer = t.http.post("/threads/" + thread + "/runs", TestServer.lanesRun("no, keep my contract"))
                .json().path("run_id").asText();
        assertThat(t.awaitRun(thread, answer).path("status").asText()).isEqualTo("success");
        JsonNode before = t.http.get("/threads/" + thread + "/state").json().path("values");

        JsonNode ended = t.awaitRun(thread, late);

        assertThat(ended.path("status").asText()).isEqualTo("error");
        List<Sse.Frame> frames = t.http.join("/threads/" + thread + "/runs/" + late + "/stream").readToEnd();
        assertThat(frames).as("%s", frames).filteredOn(f -> "error".equals(f.event())).singleElement()
                .satisfies(f -> {
                    assertThat(f.json().path("error").asText()).isEqualTo("NotInterruptedError");
                    assertThat(f.json().path("code").asText()).isEqualTo("not_interrupted");
                    assertThat(f.json().path("message").asText()).contains("no longer interrupted");
                });
        // As after any run that ended in error, until the next run; the state is the one the answer left.
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("error");
        JsonNode after = t.http.get("/threads/" + thread + "/state").json().path("values");
        assertThat(after.path("messages")).as("nothing written by the late resume").isEqualTo(before.path("messages"));
        assertThat(History.violations(MessageJson.fromJsonList(after.path("messages")))).isEmpty();
    }
}

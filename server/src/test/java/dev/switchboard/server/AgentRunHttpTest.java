package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.Http.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/agent/run} and the user's {@code /api/agent/events} channel, with the event shapes of
 * {@code AgentRunApi}'s javadoc. The scripted model streams 60 tokens, 10 ms apart, so a second task can
 * arrive while the first still streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRunHttpTest {
    private static final int TOKENS = 60;
    private final TestServer t = TestServer.startScripted(TOKENS, 10);
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    private static Set<String> fields(Sse.Frame f) {
        Set<String> names = new TreeSet<>();
        f.json().fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertShape(Sse.Frame f, String... javadocFields) {
        Set<String> expected = new TreeSet<>(List.of(javadocFields));
        expected.add("type");
        assertThat(fields(f)).as("fields of %s", f).isEqualTo(expected);
        assertThat(f.json().path("type").asText()).isEqualTo(f.event());
        assertThat(f.id()).isNotNull();
    }

    private Response run(String user, String task) {
        Response r = http.post("/api/agent/run", obj("user_id", user, "task", task, "assistant_id", "scripted"));
        assertThat(r.status()).isEqualTo(202);
        return r;
    }

    private static String expectedAnswer(String human) {
        StringBuilder b = new StringBuilder("reply to \"" + human + "\":");
        for (int i = 1; i < TOKENS; i++) {
            b.append(" t").append(i);
        }
        return b.toString();
    }

    @Test
    void oneTask_streamsStartedTokensCompleted_inTheJavadocShapes() throws Exception {
        String user = "solo";
        try (Sse events = http.join("/api/agent/events?user_id=" + user)) {
            assertThat(events.status()).isEqualTo(200);
            JsonNode accepted = run(user, "hello").json();
            String runId = accepted.path("run_id").asText();
            String threadId = accepted.path("thread_id").asText();
            assertThat(accepted.path("status").asText()).isIn("pending", "running");

            Sse.Frame started = events.next().orElseThrow();
            assertThat(started.event()).isEqualTo("AGENT_STARTED");
            assertShape(started, "run_id", "thread_id", "task");
            assertThat(started.json().path("run_id").asText()).isEqualTo(runId);
            assertThat(started.json().path("thread_id").asText()).isEqualTo(threadId);
            assertThat(started.json().path("task").asText()).isEqualTo("hello");

            StringBuilder tokens = new StringBuilder();
            Sse.Frame f;
            while ((f = events.next().orElseThrow()).event().equals("TOKEN")) {
                assertShape(f, "run_id", "text");
                assertThat(f.json().path("run_id").asText()).isEqualTo(runId);
                tokens.append(f.json().path("text").asText());
            }
            assertThat(f.event()).isEqualTo("AGENT_COMPLETED");
            assertShape(f, "run_id", "status", "answer");
            assertThat(f.json().path("status").asText()).isEqualTo("success");
            assertThat(f.json().path("answer").asText()).isEqualTo(expectedAnswer("hello")).isEqualTo(tokens.toString());
            assertThat(events.events()).extracting(Sse.Frame::idNumber).isSorted().doesNotHaveDuplicates();
        }
        // The same user's next task lands on the same thread.
        JsonNode second = http.post("/api/agent/run", obj("user_id", user, "task", "again", "assistant_id",
                "scripted")).json();
        String thread = second.path("thread_id").asText();
        http.get("/threads/" + thread + "/runs/" + second.path("run_id").asText() + "/join");
        assertThat(Http.texts(http.get("/threads/" + thread + "/state").json().path("values").path("messages"),
                "content")).containsExactly("hello", expectedAnswer("hello"), "again", expectedAnswer("again"));
    }

    @Test
    void secondTask_whileTheFirstStreams_cancelsItWithCarryOver_andTheThreadEndsHumanHumanAnswer() throws Exception {
        String user = "double-texter";
        try (Sse events = http.join("/api/agent/events?user_id=" + user)) {
            String first = run(user, "first").json().path("run_id").asText();
            events.untilEvent("AGENT_STARTED");
            events.untilEvent("TOKEN");
            JsonNode accepted = run(user, "second").json();
            String second = accepted.path("run_id").asText();
            String thread = accepted.path("thread_id").asText();
            Sse.Frame completed = events.untilEvent("AGENT_COMPLETED");

            List<Sse.Frame> all = events.events();
            List<String> owners = new ArrayList<>();
            for (Sse.Frame f : all) {
                owners.add(f.json().path("run_id").asText());
            }
            int lastOfFirst = owners.lastIndexOf(first);
            int firstOfSecond = owners.indexOf(second);
            assertThat(lastOfFirst).as("every event of the first run comes before the second's: %s", all)
                    .isLessThan(firstOfSecond);
            Sse.Frame cancelled = all.get(lastOfFirst);
            assertThat(cancelled.event()).isEqualTo("AGENT_CANCELLED");
            assertShape(cancelled, "run_id", "reason", "superseded_by");
            assertThat(cancelled.json().path("superseded_by").asText()).isEqualTo(second);
            assertThat(cancelled.json().path("reason").asText()).isNotBlank();
            assertThat(all).filteredOn(f -> f.event().equals("AGENT_COMPLETED")).hasSize(1);
            Sse.Frame secondStarted = all.get(firstOfSecond);
            assertThat(secondStarted.event()).isEqualTo("AGENT_STARTED");
            assertThat(secondStarted.json().path("task").asText()).isEqualTo("second");
            assertThat(completed.json().path("run_id").asText()).isEqualTo(second);
            assertThat(completed.json().path("answer").asText()).isEqualTo(expectedAnswer("second"));

            JsonNode messages = http.get("/threads/" + thread + "/state").json().path("values").path("messages");
            assertThat(Http.texts(messages, "type")).containsExactly("human", "human", "ai");
            assertThat(Http.texts(messages, "content")).containsExactly("first", "second", expectedAnswer("second"));
            assertThat(http.get("/threads/" + thread + "/runs/" + first).status()).as("rolled back").isEqualTo(404);
        }
    }

    @Test
    void events_resumeWithLastEventId_andReplayFromTheStartWithMinusOne() throws Exception {
        String user = "resumer";
        List<Sse.Frame> live;
        try (Sse events = http.join("/api/agent/events?user_id=" + user)) {
            run(user, "remember me");
            events.untilEvent("AGENT_COMPLETED");
            live = events.events();
        }
        try (Sse replay = http.join("/api/agent/events?user_id=" + user, "Last-Event-ID", "-1")) {
            for (Sse.Frame expected : live) {
                Sse.Frame got = replay.next().orElseThrow();
                assertThat(got.id()).isEqualTo(expected.id());
                assertThat(got.data()).isEqualTo(expected.data());
            }
        }
        Sse.Frame middle = live.get(live.size() / 2);
        try (Sse resumed = http.join("/api/agent/events?user_id=" + user, "Last-Event-ID", middle.id())) {
            Sse.Frame next = resumed.next().orElseThrow();
            assertThat(next.idNumber()).isEqualTo(middle.idNumber() + 1);
            assertThat(next.data()).isEqualTo(live.get(live.size() / 2 + 1).data());
        }
        // Without Last-Event-ID a new listener gets only what happens next: here, heartbeats.
        try (Sse fresh = http.join("/api/agent/events?user_id=" + user)) {
            Sse.Frame f = fresh.nextAny(Sse.WAIT).orElseThrow();
            assertThat(f.isComment()).as("%s", f).isTrue();
        }
    }

    @Test
    void operationEvents_onTheChannel_areOperationFramesInTheJavadocShape() throws Exception {
        String user = "operator";
        try (Sse events = http.join("/api/agent/events?user_id=" + user)) {
            Response r = http.post("/api/agent/run", obj("user_id", user, "task", "please change my plan",
                    "assistant_id", "lanes"));
            assertThat(r.status()).isEqualTo(202);
            Sse.Frame op = events.until(f -> !f.event().equals("AGENT_STARTED") && !f.event().equals("TOKEN"));
            assertThat(op.event()).isEqualTo("OPERATION");
            assertShape(op, "run_id", "operation_id", "tool", "status", "percent", "step");
            assertThat(op.json().path("tool").asText()).isEqualTo(TestServer.CHANGE);
            t.release();
            Sse.Frame completed = events.untilEvent("AGENT_COMPLETED");
            assertThat(completed.json().path("answer").asText()).isEqualTo("SYNTHESIS: change_plan succeeded");
            assertThat(events.events()).filteredOn(f -> f.event().equals("OPERATION"))
                    .allSatisfy(f -> assertShape(f, "run_id", "operation_id", "tool", "status", "percent", "step"))
                    .anySatisfy(f -> assertThat(f.json().path("status").asText()).isEqualTo("succeeded"));
        }
    }
}

package dev.switchboard.server;

import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The four multitask strategies over HTTP, with both streams read as a client reads them (DESIGN.md §2). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultitaskHttpTest {
    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    /** A long first run: many tokens, streamed as messages-tuple; answers once its first token arrived. */
    private Sse startLongStream(String thread, String text) throws InterruptedException {
        Sse first = http.stream("/threads/" + thread + "/runs/stream", scriptedRun(text, 400, 10,
                "stream_mode", List.of("messages-tuple", "values")));
        assertThat(first.status()).isEqualTo(200);
        first.untilEvent("messages");
        return first;
    }

    private static String runIdOf(Sse sse) {
        return sse.events().getFirst().json().path("run_id").asText();
    }

    private static List<Sse.Frame> tokens(List<Sse.Frame> frames) {
        return frames.stream().filter(f -> "messages".equals(f.event())).toList();
    }

    private static String text(List<Sse.Frame> frames) {
        return tokens(frames).stream().map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat);
    }

    private JsonNode messages(String thread) {
        return http.get("/threads/" + thread + "/state").json().path("values").path("messages");
    }

    private void assertEndsCancelled(List<Sse.Frame> frames, String action, String supersededBy) {
        List<Sse.Frame> events = frames.stream().filter(f -> !f.isComment()).toList();
        assertThat(events).extracting(Sse.Frame::event).doesNotContain("error");
        assertThat(events.getLast().event()).isEqualTo("end");
        Sse.Frame why = events.get(events.size() - 2);
        assertThat(why.event()).isEqualTo("custom");
        assertThat(why.json().path("type").asText()).isEqualTo("run_cancelled");
        assertThat(why.json().path("action").asText()).isEqualTo(action);
        assertThat(why.json().path("superseded_by").asText()).isEqualTo(supersededBy);
        assertThat(why.json().path("reason").isTextual()).isTrue();
    }

    @Test
    void interrupt_overHttp_endsTheFirstStreamWithCancelledThenEnd_andKeepsItsRecordAndInput() throws Exception {
        String thread = t.newThread();
        try (Sse first = startLongStream(thread, "first");
                Sse second = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("second", 3, 0,
                        "multitask_strategy", "interrupt", "stream_mode", List.of("messages-tuple")))) {
            assertThat(second.status()).isEqualTo(200);
            List<Sse.Frame> secondFrames = second.readToEnd();
            List<Sse.Frame> firstFrames = first.readToEnd();
            String firstRun = runIdOf(first);
            String secondRun = runIdOf(second);
            assertEndsCancelled(firstFrames, "interrupt", secondRun);
            assertThat(text(firstFrames)).startsWith("reply to \"first\":").doesNotContain("second");
            assertThat(secondFrames.stream().filter(f -> !f.isComment()).toList().getLast().event()).isEqualTo("end");
            assertThat(text(secondFrames)).isEqualTo("reply to \"second\": t1 t2");

            JsonNode run = http.get("/threads/" + thread + "/runs/" + firstRun).json();
            assertThat(run.path("status").asText()).isEqualTo("interrupted");
            assertThat(http.get("/threads/" + thread + "/runs/" + secondRun).json().path("status").asText())
                    .isEqualTo("success");
            assertThat(Http.texts(messages(thread), "content"))
                    .containsExactly("first", "second", "reply to \"second\": t1 t2");
        }
    }

    @Test
    void reject_overHttp_is409ThreadBusyBeforeAnySse_andTheFirstRunCompletes() throws Exception {
        String thread = t.newThread();
        try (Sse first = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("first", 20, 10,
                "stream_mode", List.of("messages-tuple")))) {
            first.untilEvent("messages");
            try (Sse second = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("second", 3, 0,
                    "multitask_strategy", "reject"))) {
                assertThat(second.status()).isEqualTo(409);
                assertThat(second.isEventStream()).isFalse();
                assertThat(second.header("content-type").orElseThrow()).startsWith("application/json");
                assertThat(second.errorJson().path("code").asText()).isEqualTo("thread_busy");
            }
            assertThat(http.post("/threads/" + thread + "/runs", scriptedRun("third", 3, 0,
                    "multitask_strategy", "reject")).status()).isEqualTo(409);
            assertThat(http.post("/threads/" + thread + "/runs/wait", scriptedRun("fourth", 3, 0,
                    "multitask_strategy", "reject")).status()).isEqualTo(409);
            List<Sse.Frame> frames = first.readToEnd();
            assertThat(text(frames)).isEqualTo("reply to \"first\": t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14 "
                    + "t15 t16 t17 t18 t19");
            assertThat(frames).extracting(Sse.Frame::event).doesNotContain("error");
        }
        assertThat(http.get("/threads/" + thread + "/runs").json()).hasSize(1)
                .allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("success"));
        assertThat(Http.texts(messages(thread), "content")).hasSize(2).first().isEqualTo("first");
    }

    @Test
    void enqueue_overHttp_secondStreamsFirstTokenArrivesAfterTheFirstStreamsLast() throws Exception {
        String thread = t.newThread();
        try (Sse first = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("first", 15, 10,
                "stream_mode", List.of("messages-tuple")));
                Sse second = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("second", 5, 30,
                        "stream_mode", List.of("messages-tuple")))) {
            assertThat(second.status()).isEqualTo(200);
            List<Sse.Frame> secondFrames = second.readToEnd();
            List<Sse.Frame> firstFrames = first.readToEnd();
            List<Sse.Frame> firstTokens = tokens(firstFrames);
            List<Sse.Frame> secondTokens = tokens(secondFrames);
            assertThat(firstTokens).hasSize(15);
            assertThat(secondTokens).hasSize(5);
            assertThat(secondTokens.getFirst().arrival()).isGreaterThan(firstTokens.getLast().arrival());
            assertThat(firstFrames).extracting(Sse.Frame::event).doesNotContain("error");
            assertThat(text(secondFrames)).isEqualTo("reply to \"second\": t1 t2 t3 t4");
            List<JsonNode> runs = List.of(http.get("/threads/" + thread + "/runs/" + runIdOf(first)).json(),
                    http.get("/threads/" + thread + "/runs/" + runIdOf(second)).json());
            assertThat(runs).allSatisfy(r -> assertThat(r.path("status").asText()).isEqualTo("success"));
            assertThat(runs.get(1).path("multitask_strategy").asText()).isEqualTo("enqueue");
        }
        assertThat(Http.texts(messages(thread), "content")).containsExactly("first",
                "reply to \"first\": t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14", "second",
                "reply to \"second\": t1 t2 t3 t4");
    }

    @Test
    void enqueue_ofABackgroundRun_staysPendingUntilTheFirstEnds() {
        String thread = t.newThread();
        ObjectNode slow = scriptedRun("use the tool", 1, 0);
        Http.configurable(slow).put("tool_sleep_ms", 60_000);
        String first = http.post("/threads/" + thread + "/runs", slow).json().path("run_id").asText();
        JsonNode queued = http.post("/threads/" + thread + "/runs", scriptedRun("after", 2, 0)).json();
        assertThat(queued.path("status").asText()).isEqualTo("pending");
        assertThat(http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("busy");
        assertThat(http.get("/threads/" + thread + "/runs?status=pending").json()).hasSize(1);
        http.post("/threads/" + thread + "/runs/" + first + "/cancel?wait=1", null);
        assertThat(t.awaitRun(thread, queued.path("run_id").asText()).path("status").asText()).isEqualTo("success");
        assertThat(Http.texts(messages(thread), "content")).endsWith("after", "reply to \"after\": t1");
    }

    @Test
    void rollback_overHttp_deletesTheFirstRunAndItsCheckpoints() throws Exception {
        String thread = t.newThread();
        String firstRun;
        try (Sse first = startLongStream(thread, "first");
                Sse second = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("second", 3, 0,
                        "multitask_strategy", "rollback", "stream_mode", List.of("messages-tuple")))) {
            List<Sse.Frame> secondFrames = second.readToEnd();
            List<Sse.Frame> firstFrames = first.readToEnd();
            firstRun = runIdOf(first);
            assertEndsCancelled(firstFrames, "rollback", runIdOf(second));
            assertThat(text(secondFrames)).isEqualTo("reply to \"second\": t1 t2");
        }
        assertThat(http.get("/threads/" + thread + "/runs/" + firstRun).status()).isEqualTo(404);
        assertThat(http.get("/threads/" + thread + "/runs").json()).hasSize(1);
        JsonNode history = http.get("/threads/" + thread + "/history?limit=1000").json();
        assertThat(history).isNotEmpty().noneSatisfy(s -> assertThat(s.path("metadata").path("run_id").asText())
                .isEqualTo(firstRun));
        assertThat(Http.texts(messages(thread), "content")).containsExactly("second", "reply to \"second\": t1 t2");
    }

    @Test
    void rollbackWithCarry_overHttp_endsAsFirstSecondAnswer_withTheFirstRunDeleted() throws Exception {
        String thread = t.newThread();
        String firstRun;
        String secondRun;
        try (Sse first = startLongStream(thread, "first");
                Sse second = http.stream("/threads/" + thread + "/runs/stream", scriptedRun("second", 3, 0,
                        "multitask_strategy", "rollback", "superseded_input", "carry",
                        "stream_mode", List.of("messages-tuple")))) {
            second.readToEnd();
            List<Sse.Frame> firstFrames = first.readToEnd();
            firstRun = runIdOf(first);
            secondRun = runIdOf(second);
            assertEndsCancelled(firstFrames, "rollback", secondRun);
        }
        assertThat(http.get("/threads/" + thread + "/runs/" + firstRun).status()).isEqualTo(404);
        JsonNode messages = messages(thread);
        assertThat(Http.texts(messages, "type")).containsExactly("human", "human", "ai");
        assertThat(Http.texts(messages, "content")).containsExactly("first", "second", "reply to \"second\": t1 t2");
        JsonNode run = http.get("/threads/" + thread + "/runs/" + secondRun).json();
        assertThat(run.path("kwargs").path("superseded_input").asText()).isEqualTo("carry");
        assertThat(http.get("/threads/" + thread + "/history?limit=1000").json())
                .noneSatisfy(s -> assertThat(s.path("metadata").path("run_id").asText()).isEqualTo(firstRun));
    }

    @Test
    void interrupt_ofABackgroundRunInATool_closesTheToolCallSoTheHistoryStaysValid() {
        String thread = t.newThread();
        ObjectNode slow = scriptedRun("use the tool", 1, 0);
        Http.configurable(slow).put("tool_sleep_ms", 60_000);
        String first = http.post("/threads/" + thread + "/runs", slow).json().path("run_id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Http.texts(
                messages(thread), "type").contains("ai"));
        JsonNode second = http.post("/threads/" + thread + "/runs/wait", scriptedRun("never mind", 2, 0,
                "multitask_strategy", "interrupt")).json();
        assertThat(Http.texts(second.path("messages"), "type")).containsExactly("human", "ai", "tool", "human", "ai");
        assertThat(second.path("messages").get(2).path("content").asText()).containsIgnoringCase("cancel");
        assertThat(http.get("/threads/" + thread + "/runs/" + first).json().path("status").asText())
                .isEqualTo("interrupted");
    }
}

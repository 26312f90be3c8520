package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A run with a long-running operation over HTTP: progress as {@code custom} events, a second message on the
 * secondary lane while the operation runs, and the synthesis at the end (DESIGN.md §3).
 */
class OperationLanesHttpTest {
    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterEach
    void stop() {
        t.close();
    }

    private static List<Sse.Frame> customOf(List<Sse.Frame> frames, String type) {
        return frames.stream().filter(f -> "custom".equals(f.event()) && f.json().path("type").asText().equals(type))
                .toList();
    }

    @Test
    void operationWithASecondaryQuestion_overHttp_streamsProgress_answersOnTheSecondaryLane_andSynthesizes()
            throws Exception {
        String thread = t.newThread();
        try (Sse main = http.stream("/threads/" + thread + "/runs/stream", TestServer.lanesRun(
                "please change my plan to gold", "stream_mode", List.of("custom", "messages-tuple")))) {
            String mainRun = main.next().orElseThrow().json().path("run_id").asText();
            Sse.Frame started = main.until(f -> "custom".equals(f.event())
                    && f.json().path("type").asText().equals("operation_started"));
            String operationId = started.json().path("operation_id").asText();
            assertThat(started.json().path("tool").asText()).isEqualTo(TestServer.CHANGE);
            Sse.Frame progress = main.until(f -> "custom".equals(f.event())
                    && f.json().path("type").asText().equals("operation_progress"));
            assertThat(progress.json().path("percent").asInt()).isEqualTo(10);
            assertThat(progress.json().path("step").asText()).isEqualTo("checking eligibility");

            // A second message on the same thread while the operation runs goes to the secondary lane.
            JsonNode question = http.post("/threads/" + thread + "/runs", TestServer.lanesRun("how far along is it?"))
                    .json();
            assertThat(question.path("lane").asText()).isEqualTo("secondary");
            assertThat(question.path("metadata").path("lane").asText()).isEqualTo("secondary");
            String questionRun = question.path("run_id").asText();
            assertThat(t.awaitRun(thread, questionRun).path("status").asText()).isEqualTo("success");
            JsonNode interim = http.get("/threads/" + thread + "/state").json().path("values").path("interim_messages");
            assertThat(Http.texts(interim, "content")).contains("how far along is it?")
                    .last().isEqualTo("Status: running at 10% (checking eligibility)");
            JsonNode runningOp = http.get("/operations/" + operationId).json();
            assertThat(runningOp.path("status").asText()).isEqualTo("running");
            assertThat(http.get("/threads/" + thread + "/runs/" + mainRun).json().path("status").asText())
                    .isEqualTo("running");

            t.release();
            List<Sse.Frame> frames = main.readToEnd();
            List<Integer> percents = customOf(frames, "operation_progress").stream()
                    .map(f -> f.json().path("percent").asInt()).toList();
            assertThat(percents).isSorted().contains(40, 60, 90);
            assertThat(customOf(frames, "operation_ended")).singleElement()
                    .satisfies(f -> assertThat(f.json().path("status").asText()).isEqualTo("succeeded"));
            assertThat(frames.stream().filter(f -> !f.isComment()).toList().getLast().event()).isEqualTo("end");
            assertThat(frames).extracting(Sse.Frame::event).doesNotContain("error");
            String streamed = frames.stream().filter(f -> "messages".equals(f.event()))
                    .map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat);
            assertThat(streamed).endsWith("SYNTHESIS: change_plan succeeded; answered 'how far along is it?'");
            assertThat(http.get("/threads/" + thread + "/runs/" + mainRun).json().path("status").asText())
                    .isEqualTo("success");
        }
        JsonNode values = http.get("/threads/" + thread + "/state").json().path("values");
        JsonNode messages = values.path("messages");
        assertThat(messages.get(messages.size() - 1).path("content").asText())
                .isEqualTo("SYNTHESIS: change_plan succeeded; answered 'how far along is it?'");
        assertThat(Http.texts(messages, "type")).containsExactly("human", "ai", "tool", "human", "ai", "tool", "ai",
                "ai");
        JsonNode operations = http.get("/threads/" + thread + "/operations").json();
        assertThat(operations).singleElement().satisfies(op -> {
            assertThat(op.path("status").asText()).isEqualTo("succeeded");
            assertThat(op.path("percent").asInt()).isEqualTo(100);
            assertThat(op.path("reported").asBoolean()).isTrue();
            assertThat(op.path("result").asText()).contains("change_plan done");
        });
        assertThat(t.backend.appliedCount()).isEqualTo(1);
        JsonNode runs = http.get("/threads/" + thread + "/runs").json();
        assertThat(Http.texts(runs, "lane")).containsExactlyInAnyOrder("main", "secondary");
    }

    @Test
    void secondaryRun_streamed_showsItsTokens_andItsStatusLookupInTheStore() throws Exception {
        String thread = t.newThread();
        String mainRun = http.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan"))
                .json().path("run_id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            JsonNode ops = http.get("/threads/" + thread + "/operations").json();
            return ops.size() == 1 && ops.get(0).path("percent").asInt() >= 10;
        });
        try (Sse secondary = http.stream("/threads/" + thread + "/runs/stream", TestServer.lanesRun(
                "what's my balance?", "stream_mode", List.of("messages-tuple", "values")))) {
            List<Sse.Frame> frames = secondary.readToEnd();
            String text = frames.stream().filter(f -> "messages".equals(f.event()))
                    .map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat);
            assertThat(text).isEqualTo("Done: 3.2 GB left");
            String runId = frames.getFirst().json().path("run_id").asText();
            assertThat(http.get("/threads/" + thread + "/runs/" + runId).json().path("lane").asText())
                    .isEqualTo("secondary");
        }
        // The operation's status is in the coordination namespace of the store, readable over /store.
        JsonNode status = http.get("/store/items?namespace=threads." + thread + "&key=working-tool-status-update")
                .json();
        assertThat(status.path("value").path("percent").asInt()).isEqualTo(10);
        t.release();
        assertThat(t.awaitRun(thread, mainRun).path("status").asText()).isEqualTo("success");
        JsonNode messages = http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        assertThat(messages.get(messages.size() - 1).path("content").asText())
                .isEqualTo("SYNTHESIS: change_plan succeeded; answered 'what's my balance?'");
    }

    @Test
    void cancelOperation_fromTheSecondaryLane_overHttp_cancelsBeforeAnyChange() {
        String thread = t.newThread();
        String mainRun = http.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan"))
                .json().path("run_id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                http.get("/threads/" + thread + "/operations").json().size() == 1);
        ObjectNode cancel = TestServer.lanesRun("cancel that please");
        JsonNode values = http.post("/threads/" + thread + "/runs/wait", cancel).json();
        assertThat(Http.texts(values.path("interim_messages"), "content")).last().asString().startsWith("Cancel accepted");
        t.release();
        assertThat(t.awaitRun(thread, mainRun).path("status").asText()).isEqualTo("success");
        assertThat(http.get("/threads/" + thread + "/operations").json().get(0).path("status").asText())
                .isEqualTo("cancelled");
        assertThat(t.backend.appliedCount()).isZero();
        // The next main input resets the interim exchange.
        JsonNode next = http.post("/threads/" + thread + "/runs/wait", TestServer.lanesRun("thanks")).json();
        assertThat(next.path("interim_messages")).isEmpty();
    }

    @Test
    void deletingAThread_whileItsOperationRuns_is409AndKeepsTheOperationsRecord() throws Exception {
        String thread = t.newThread();
        try (Sse main = http.stream("/threads/" + thread + "/runs/stream", TestServer.lanesRun(
                "please change my plan to gold", "stream_mode", List.of("custom")))) {
            Sse.Frame started = main.until(f -> "custom".equals(f.event())
                    && f.json().path("type").asText().equals("operation_started"));
            String operationId = started.json().path("operation_id").asText();

            var refused = http.delete("/threads/" + thread);
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().path("code").asText()).isEqualTo("operation_in_flight");
            assertThat(refused.json().path("detail").asText()).contains(operationId);
            assertThat(http.get("/operations/" + operationId).json().path("status").asText()).isEqualTo("running");
            assertThat(http.get("/threads/" + thread).status()).isEqualTo(200);

            t.release();
            main.readToEnd();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> http.delete("/threads/" + thread).status() == 204);
        assertThat(http.get("/threads/" + thread).status()).isEqualTo(404);
    }
}

package dev.switchboard.server;

import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.Http.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** SSE on the wire: frame layout, ids, {@code Last-Event-ID} resume and heartbeat comments (AGENT-PROTOCOL.md §8). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SseHttpTest {
    private final TestServer t = TestServer.start(s -> s.withHeartbeat(Duration.ofMillis(100)));
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    private static List<Sse.Frame> events(List<Sse.Frame> frames) {
        return frames.stream().filter(f -> !f.isComment()).toList();
    }

    @Test
    void frames_areEventDataIdBlocks_withIdsCountingFromZero() {
        String thread = t.newThread();
        String runId = http.post("/threads/" + thread + "/runs/wait", scriptedRun("raw", 3, 0,
                "stream_mode", List.of("values", "messages-tuple"))).header("Content-Location").orElseThrow()
                .replaceAll(".*/runs/", "");
        Response raw = http.send("GET", "/threads/" + thread + "/runs/" + runId + "/stream", null,
                "Accept", "text/event-stream");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.header("content-type").orElseThrow()).startsWith("text/event-stream");
        String body = raw.body().replaceAll("(?m)^: heartbeat\n\n", "");
        assertThat(body).endsWith("\n\n");
        String[] blocks = body.substring(0, body.length() - 2).split("\n\n", -1);
        assertThat(blocks.length).isGreaterThan(3);
        for (int i = 0; i < blocks.length; i++) {
            assertThat(blocks[i]).as("frame %d", i).matches("event: [a-z/-]+\ndata: [^\n]+\nid: " + i);
        }
        assertThat(blocks[0]).startsWith("event: metadata\n");
        assertThat(blocks[blocks.length - 1]).isEqualTo("event: end\ndata: null\nid: " + (blocks.length - 1));
    }

    @Test
    void resume_withLastEventId_continuesWithoutGapOrDuplicate() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("resume me", 30, 10, "stream_mode", List.of("values", "messages-tuple"));
        List<Sse.Frame> firstPart = new ArrayList<>();
        String runId;
        try (Sse sse = http.stream("/threads/" + thread + "/runs/stream", body)) {
            Sse.Frame metadata = sse.next().orElseThrow();
            runId = metadata.json().path("run_id").asText();
            firstPart.add(metadata);
            while (firstPart.getLast().idNumber() < 5) {
                firstPart.add(sse.next().orElseThrow());
            }
        }
        List<Sse.Frame> rest;
        try (Sse resumed = http.join("/threads/" + thread + "/runs/" + runId + "/stream", "Last-Event-ID", "5")) {
            rest = events(resumed.readToEnd());
        }
        List<Sse.Frame> joined = new ArrayList<>(firstPart);
        joined.addAll(rest);
        assertThat(rest.getFirst().idNumber()).isEqualTo(6);
        assertThat(joined).extracting(Sse.Frame::idNumber)
                .containsExactlyElementsOf(LongStream.range(0, joined.size()).boxed().toList());
        assertThat(joined.getLast().event()).isEqualTo("end");

        List<Sse.Frame> full;
        try (Sse replay = http.join("/threads/" + thread + "/runs/" + runId + "/stream", "Last-Event-ID", "-1")) {
            full = events(replay.readToEnd());
        }
        assertThat(full).extracting(Sse.Frame::id).containsExactlyElementsOf(joined.stream().map(Sse.Frame::id).toList());
        assertThat(full).extracting(Sse.Frame::event)
                .containsExactlyElementsOf(joined.stream().map(Sse.Frame::event).toList());
        assertThat(full).extracting(Sse.Frame::data)
                .containsExactlyElementsOf(joined.stream().map(Sse.Frame::data).toList());
        String tokens = full.stream().filter(f -> f.event().equals("messages"))
                .map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat);
        assertThat(tokens).startsWith("reply to \"resume me\": t1 t2").endsWith(" t29");

        try (Sse fromLast = http.join("/threads/" + thread + "/runs/" + runId + "/stream", "Last-Event-ID",
                full.get(full.size() - 2).id())) {
            assertThat(events(fromLast.readToEnd())).extracting(Sse.Frame::event).containsExactly("end");
        }
        try (Sse pastTheEnd = http.join("/threads/" + thread + "/runs/" + runId + "/stream", "Last-Event-ID",
                "100000")) {
            assertThat(events(pastTheEnd.readToEnd())).isEmpty();
        }
    }

    @Test
    void resume_ofTheStatelessJoin_honoursLastEventIdToo() throws Exception {
        String runId = http.post("/runs", scriptedRun("stateless resume", 5, 0, "on_completion", "keep")).json()
                .path("run_id").asText();
        List<Sse.Frame> full;
        try (Sse sse = http.join("/runs/" + runId + "/stream", "Last-Event-ID", "-1")) {
            full = events(sse.readToEnd());
        }
        try (Sse sse = http.join("/runs/" + runId + "/stream", "Last-Event-ID", "1")) {
            List<Sse.Frame> rest = events(sse.readToEnd());
            assertThat(rest).extracting(Sse.Frame::data)
                    .containsExactlyElementsOf(full.subList(2, full.size()).stream().map(Sse.Frame::data).toList());
        }
    }

    @Test
    void idleStream_sendsHeartbeatComments_untilTheRunEnds() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0, "stream_mode", List.of("custom", "updates"));
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        try (Sse sse = http.stream("/threads/" + thread + "/runs/stream", body)) {
            String runId = sse.next().orElseThrow().json().path("run_id").asText();
            Sse.Frame started = sse.until(f -> f.event().equals("custom"));
            assertThat(started.json().path("tool").asText()).isEqualTo("slow_tool");
            assertThat(started.json().path("phase").asText()).isEqualTo("start");
            int heartbeats = 0;
            while (heartbeats < 3) {
                Sse.Frame f = sse.nextAny(Sse.WAIT).orElseThrow();
                assertThat(f.isComment()).as("nothing but heartbeats while the tool sleeps: %s", f).isTrue();
                assertThat(f.comment()).isEqualTo("heartbeat");
                heartbeats++;
            }
            assertThat(http.post("/threads/" + thread + "/runs/" + runId + "/cancel", null).status()).isEqualTo(202);
            List<Sse.Frame> rest = events(sse.readToEnd());
            assertThat(rest).extracting(Sse.Frame::event).endsWith("custom", "end").doesNotContain("error");
            assertThat(rest.get(rest.size() - 2).json().path("type").asText()).isEqualTo("run_cancelled");
        }
    }

    @Test
    void joiningARunningRun_thenLeaving_doesNotCancelIt_butCancelOnDisconnectDoes() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0);
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        String runId = http.post("/threads/" + thread + "/runs", body).json().path("run_id").asText();
        try (Sse sse = http.join("/threads/" + thread + "/runs/" + runId + "/stream")) {
            sse.next().orElseThrow();
        }
        // The run goes on after a plain join left: the server notices (its next heartbeat write fails) and lets go.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/metrics").body()
                .contains("switchboard_sse_subscribers 0.0"));
        assertThat(http.get("/threads/" + thread + "/runs/" + runId).json().path("status").asText())
                .isIn("pending", "running");
        try (Sse sse = http.join("/threads/" + thread + "/runs/" + runId + "/stream?cancel_on_disconnect=true")) {
            sse.next().orElseThrow();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http
                .get("/threads/" + thread + "/runs/" + runId).json().path("status").asText().equals("interrupted"));
    }

    @Test
    void streamWithOnDisconnectCancel_cancelsTheRunWhenTheClientLeaves() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0, "on_disconnect", "cancel");
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        String runId;
        try (Sse sse = http.stream("/threads/" + thread + "/runs/stream", body)) {
            runId = sse.next().orElseThrow().json().path("run_id").asText();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http
                .get("/threads/" + thread + "/runs/" + runId).json().path("status").asText().equals("interrupted"));
    }
}

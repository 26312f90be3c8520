package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.auth.ApiKeys;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /threads/{id}/stream}: every run of the thread on one stream, resumable with {@code Last-Event-ID}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreadStreamHttpTest {
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob"))
            .withHeartbeat(Duration.ofMillis(200)));
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterAll
    void stop() {
        t.close();
    }

    private String threadOfAlice() {
        return alice.post("/threads", obj()).json().path("thread_id").asText();
    }

    @Test
    void threadStream_carriesEveryRunOfTheThread_withRunScopedIds_andResumesAfterTheLastSeenFrame() throws Exception {
        String thread = threadOfAlice();
        String firstRun;
        String secondRun;
        String resumeFrom;
        String expectedNext;
        try (Sse sse = alice.join("/threads/" + thread + "/stream?stream_mode=values")) {
            // The stream is open before any run exists: it learns of runs as they are admitted.
            firstRun = alice.post("/threads/" + thread + "/runs", scriptedRun("one", 2, 0)).json().path("run_id").asText();
            Sse.Frame meta = sse.untilEvent("metadata");
            assertThat(meta.json().path("run_id").asText()).isEqualTo(firstRun);
            assertThat(meta.id()).isEqualTo(firstRun + "_0");
            Sse.Frame values = sse.untilEvent("values");
            assertThat(values.id()).isEqualTo(firstRun + "_1");
            resumeFrom = values.id();
            expectedNext = sse.untilEvent("values").id();
            t.awaitRun(thread, firstRun);
            secondRun = alice.post("/threads/" + thread + "/runs", scriptedRun("two", 2, 0)).json().path("run_id")
                    .asText();
            Sse.Frame secondMeta = sse.until(f -> f.event().equals("metadata"));
            assertThat(secondMeta.json().path("run_id").asText()).isEqualTo(secondRun);
            t.awaitRun(thread, secondRun);
            assertThat(sse.events()).extracting(Sse.Frame::event).doesNotContain("end");
        }
        try (Sse resumed = alice.join("/threads/" + thread + "/stream?stream_mode=values", "Last-Event-ID", resumeFrom)) {
            Sse.Frame next = resumed.next().orElseThrow();
            assertThat(next.id()).isEqualTo(expectedNext);
            Sse.Frame secondMeta = resumed.until(f -> f.event().equals("metadata"));
            assertThat(secondMeta.id()).isEqualTo(secondRun + "_0");
        }
    }

    @Test
    void threadStream_ofAnotherUsersThread_is404_andABadLastEventId_is422() {
        String thread = threadOfAlice();
        assertThat(bob.get("/threads/" + thread + "/stream").status()).isEqualTo(404);
        assertThat(alice.send("GET", "/threads/" + thread + "/stream", null, "Last-Event-ID", "nonsense").code())
                .isEqualTo("invalid_header");
        assertThat(alice.get("/threads/" + thread + "/stream?stream_mode=loud").code()).isEqualTo("invalid_stream_mode");
    }

    @Test
    void threadStream_whoseClientLeft_isClosed() throws Exception {
        String thread = threadOfAlice();
        try (Sse sse = alice.join("/threads/" + thread + "/stream")) {
            assertThat(sse.nextAny(Sse.WAIT).orElseThrow().comment()).isEqualTo("heartbeat");
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alice.get("/metrics").body()
                .contains("switchboard_sse_subscribers 0.0"));
    }
}

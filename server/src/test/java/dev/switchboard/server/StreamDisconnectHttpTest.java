package dev.switchboard.server;

import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that leaves a stream is noticed within a heartbeat or two whatever the stream sends: the run below
 * produces a token every few milliseconds for minutes, which a {@code values}-only stream never writes, so only
 * a heartbeat written after an interval with nothing written can find the closed connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamDisconnectHttpTest {
    private final TestServer t = TestServer.start(s -> s.withHeartbeat(Duration.ofMillis(100)));
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    /** A run that keeps producing tokens for far longer than any test waits. */
    private static ObjectNode endlessTokens(String mode, Object... more) {
        return scriptedRun("talk for ever", 200_000, 3, concat(more, "stream_mode", List.of(mode)));
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] out = new Object[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void awaitInterrupted(String thread, String runId) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> http
                .get("/threads/" + thread + "/runs/" + runId).json().path("status").asText().equals("interrupted"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"values", "updates", "custom", "messages-tuple", "messages", "events", "debug", "tasks",
            "checkpoints"})
    void streamWithOnDisconnectCancel_whileTheRunProducesOnlyEventsTheModeDoesNotSend_cancelsTheRun(String mode)
            throws Exception {
        String thread = t.newThread();
        String runId;
        try (Sse sse = http.stream("/threads/" + thread + "/runs/stream",
                endlessTokens(mode, "on_disconnect", "cancel"))) {
            runId = sse.next().orElseThrow().json().path("run_id").asText();
        }
        awaitInterrupted(thread, runId);
    }

    @ParameterizedTest
    @ValueSource(strings = {"values", "updates", "custom", "messages-tuple", "messages", "events", "debug", "tasks",
            "checkpoints"})
    void joinStreamWithCancelOnDisconnect_whileTheRunProducesOnlyEventsTheModeDoesNotSend_cancelsTheRun(String mode)
            throws Exception {
        String thread = t.newThread();
        String runId = http.post("/threads/" + thread + "/runs", endlessTokens(mode)).json().path("run_id").asText();
        try (Sse sse = http.join("/threads/" + thread + "/runs/" + runId + "/stream?cancel_on_disconnect=true&stream_mode="
                + mode)) {
            sse.next().orElseThrow();
        }
        awaitInterrupted(thread, runId);
    }
}

package dev.switchboard.server;

import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Blocking {@code /wait} and {@code /join}: newline keep-alives while the run works (JSON whitespace, so the
 * answer still parses), and a client that hangs up cancels the run when it asked for that.
 */
class BlockingWaitHttpTest {
    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterEach
    void close() {
        t.close();
    }

    /** Sends a raw request, reads until the first keep-alive newline after the headers, then hangs up. */
    private void requestThenHangUp(String method, String path, String body) throws Exception {
        URI base = URI.create(http.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                seen.append((char) c);
                if (seen.indexOf("\r\n\r\n") >= 0 && seen.toString().endsWith("\n") && seen.length() > seen.indexOf("\r\n\r\n") + 4) {
                    break;
                }
            }
            assertThat(seen.toString()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void join_withCancelOnDisconnect_cancelsTheRunWhenTheClientHangsUp() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0);
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        String runId = http.post("/threads/" + thread + "/runs", body).json().path("run_id").asText();

        requestThenHangUp("GET", "/threads/" + thread + "/runs/" + runId + "/join?cancel_on_disconnect=true", null);

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/threads/" + thread + "/runs/" + runId)
                .json().path("status").asText().equals("interrupted"));
    }

    @Test
    void wait_withOnDisconnectCancel_cancelsTheRunWhenTheClientHangsUp() throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0, "on_disconnect", "cancel");
        Http.configurable(body).put("tool_sleep_ms", 60_000);

        requestThenHangUp("POST", "/threads/" + thread + "/runs/wait", Json.write(body));

        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> http.get("/threads/" + thread + "/runs")
                .json().path(0).path("status").asText().equals("interrupted"));
    }

    @Test
    void wait_longerThanASecond_answersParsableJsonAfterItsKeepAlives() {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("slow", 3, 600);
        var answer = http.post("/threads/" + thread + "/runs/wait", body);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("\n");
        assertThat(answer.json().path("messages")).hasSize(2);
    }
}

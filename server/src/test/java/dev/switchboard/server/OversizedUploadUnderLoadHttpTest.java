package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A body over the limit is answered 413 {@code payload_too_large}, every time, even while the machine is busy:
 * the server reads and discards the rest of the body (up to a bound) before it answers and closes, so the
 * client, still sending, never sees a connection reset instead of the answer.
 */
class OversizedUploadUnderLoadHttpTest {
    private static final int FIVE_MIB = 5 * 1024 * 1024;
    private static final int TRIALS = 12;

    private final TestServer t = TestServer.start();
    private final AtomicBoolean busy = new AtomicBoolean(true);
    private final List<java.lang.Thread> spinners = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        busy.set(false);
        for (java.lang.Thread s : spinners) {
            s.join();
        }
        t.close();
    }

    @Test
    void fiveMebibyteBodies_withEveryCoreBusy_getA413EveryTime() throws Exception {
        String thread = t.http.post("/threads", "{}").json().path("thread_id").asText();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors() * 2; i++) {
            spinners.add(java.lang.Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (busy.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        byte[] store = ("{\"namespace\":[\"big\"],\"key\":\"k\",\"value\":{\"pad\":\"" + "x".repeat(FIVE_MIB) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] run = ("{\"assistant_id\":\"scripted\",\"input\":{\"messages\":[{\"type\":\"human\",\"content\":\""
                + "x".repeat(FIVE_MIB) + "\"}]}}").getBytes(StandardCharsets.UTF_8);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            // A client that sends its whole body before it reads (as many do): the strictest case.
            outcomes.add("PUT /store/items raw: " + sendThenRead("PUT", "/store/items", store));
            outcomes.add("POST runs raw: " + sendThenRead("POST", "/threads/" + thread + "/runs", run));
            boolean chunked = i % 2 == 1;
            outcomes.add("PUT /store/items " + (chunked ? "chunked" : "sized") + ": " + send("PUT", "/store/items", store, chunked));
            outcomes.add("POST runs " + (chunked ? "chunked" : "sized") + ": "
                    + send("POST", "/threads/" + thread + "/runs", run, chunked));
        }
        assertThat(outcomes).allSatisfy(o -> assertThat(o).endsWith(": 413 payload_too_large"));
        assertThat(t.http.get("/threads/" + thread + "/runs").json()).as("nothing was admitted").isEmpty();
    }

    /** Writes the request and its whole body on a plain socket, then reads the answer. */
    private String sendThenRead(String method, String path, byte[] body) {
        URI base = URI.create(t.http.base());
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            var out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int off = 0; off < body.length; off += 64 * 1024) {
                out.write(body, off, Math.min(64 * 1024, body.length - off));
            }
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String status = answer.substring(answer.indexOf(' ') + 1, answer.indexOf(' ') + 4);
            return status + (answer.contains("\"payload_too_large\"") ? " payload_too_large" : " " + answer);
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    /** Each trial on a new connection, as a client that retries would open. */
    private String send(String method, String path, byte[] body, boolean chunked) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(t.http.base() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").method(method, publisher).build();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                    .readTree(r.body()).path("code").asText();
        } catch (IOException e) {
            return "failed: " + e;
        } finally {
            client.close();
        }
    }
}

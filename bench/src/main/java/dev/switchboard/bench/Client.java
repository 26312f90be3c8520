package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The one HTTP client both servers are driven with (java.net.http, HTTP/1.1 keep-alive): the same requests,
 * the same bodies, the same SSE parsing, so a difference in the figures is a difference in the servers.
 */
final class Client {
    /** Raised for any answer that is not what a working server sends; the measures count these as errors. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    private final HttpClient http;
    private final URI base;

    Client(URI base) {
        this.base = base;
        // HTTP/1.1 explicitly: the default would offer an h2c upgrade, which neither server is measured on.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    URI base() {
        return base;
    }

    /** POSTs JSON and answers the parsed JSON body; anything but 2xx is a {@link Failure}. */
    JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        return Json.parse(postText(path, body, Duration.ofSeconds(60)));
    }

    /** POSTs JSON and answers the body as text (the peer's {@code /wait} pads its JSON with keep-alive newlines). */
    String postText(String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(json(path, body).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw new Failure("POST " + path + " -> " + response.statusCode() + " " + clip(response.body()));
        }
        return response.body().strip();
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new Failure("GET " + path + " -> " + response.statusCode() + " " + clip(response.body()));
        }
        return Json.parse(response.body());
    }

    /** Opens an SSE stream: returns once the server sent its headers. */
    SseReader stream(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(json(path, body).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String text;
            try (InputStream in = response.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            throw new Failure("POST " + path + " (stream) -> " + response.statusCode() + " " + clip(text));
        }
        return new SseReader(response.body());
    }

    /** True when {@code GET /ok} answers 200 right now. */
    boolean ok() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/ok")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String createThread() throws IOException, InterruptedException {
        return post("/threads", Json.object()).path("thread_id").asText();
    }

    private HttpRequest.Builder json(String path, JsonNode body) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
    }

    /** A run request body: one user message, the fake model's knobs, and whatever else the measure adds. */
    static ObjectNode runBody(String assistant, String text, int tokens, int delayMs) {
        ObjectNode body = Json.object();
        body.put("assistant_id", assistant);
        body.putObject("input").putArray("messages").addObject().put("role", "user").put("content", text);
        ObjectNode configurable = body.putObject("config").putObject("configurable");
        configurable.put("tokens", tokens);
        configurable.put("delay_ms", delayMs);
        return body;
    }

    private static String clip(String text) {
        String flat = text == null ? "" : text.strip().replace('\n', ' ');
        return flat.length() > 300 ? flat.substring(0, 300) + "…" : flat;
    }
}

package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few Agent Protocol calls the terminal chat and the demo make, with SSE read line by line. */
final class AgentClient {
    private static final Pattern RUN_PATH = Pattern.compile("/runs/([0-9a-fA-F-]{36})");

    private final URI base;
    private final String credential;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Sent with every request: the visitor id, and the credentials when sign-in is on. */
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    AgentClient(URI base) {
        this(base, null);
    }

    /** {@code credential}: an API key or bearer token sent with every request, or null when sign-in is off. */
    AgentClient(URI base, String credential) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.credential = credential;
    }

    boolean hasCredential() {
        return credential != null;
    }

    URI base() {
        return base;
    }

    /** A refused or failed request, with the server's {@code detail} as the message. */
    static final class ApiFailure extends IOException {
        final int status;
        final String code;

        ApiFailure(int status, String code, String detail) {
            super(detail);
            this.status = status;
            this.code = code;
        }
    }

    /** One SSE frame. */
    record Event(String name, JsonNode data, String id) {
    }

    /** An open stream: the run it belongs to and the reader of its frames. */
    record Stream(UUID runId, InputStream body) {
        /** Delivers frames until {@code end} or until the server closes the stream. */
        void read(Consumer<Event> sink) throws IOException {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String event = "";
                StringBuilder data = new StringBuilder();
                String id = null;
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!data.isEmpty()) {
                            JsonNode parsed = Json.parse(data.toString());
                            Event e = new Event(event.isEmpty() ? "message" : event, parsed, id);
                            sink.accept(e);
                            if (e.name().equals("end")) {
                                return;
                            }
                        }
                        event = "";
                        data.setLength(0);
                    } else if (!line.startsWith(":")) {
                        int colon = line.indexOf(':');
                        String field = colon < 0 ? line : line.substring(0, colon);
                        String value = colon < 0 ? "" : line.substring(colon + 1);
                        if (value.startsWith(" ")) {
                            value = value.substring(1);
                        }
                        switch (field) {
                            case "event" -> event = value;
                            case "data" -> data.append(data.isEmpty() ? "" : "\n").append(value);
                            case "id" -> id = value;
                            default -> {
                                // retry and unknown fields mean nothing here
                            }
                        }
                    }
                }
            }
        }
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return json(send(HttpRequest.newBuilder(uri(path)).GET()));
    }

    JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        return json(send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))));
    }

    /** POSTs a run-creating body to a {@code …/runs/stream} path. */
    Stream stream(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = open(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
        Optional<String> location = response.headers().firstValue("Content-Location");
        Matcher m = RUN_PATH.matcher(location.orElse(""));
        if (!m.find()) {
            response.body().close();
            throw new IOException("the server did not say which run it started (no Content-Location)");
        }
        return new Stream(UUID.fromString(m.group(1)), response.body());
    }

    /** Joins a run's stream after the frame {@code lastEventId} ({@code -1}: from the start). */
    Stream join(UUID threadId, UUID runId, long lastEventId) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = open(HttpRequest.newBuilder(uri("/threads/" + threadId + "/runs/" + runId
                        + "/stream?stream_mode=messages-tuple&stream_mode=values&stream_mode=custom"))
                .header("Accept", "text/event-stream").header("Last-Event-ID", Long.toString(lastEventId)).GET());
        return new Stream(runId, response.body());
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    /** Signs the request when there is a key: as a bearer token, which the server takes for keys and tokens alike. */
    private HttpRequest.Builder signed(HttpRequest.Builder request) {
        return credential == null ? request : request.header("Authorization", "Bearer " + credential);
    }

    /** Adds a header to every request this client makes. */
    AgentClient withHeader(String name, String value) {
        if (value != null && !value.isBlank()) {
            headers.put(name, value.strip());
        }
        return this;
    }

    private HttpRequest.Builder withHeaders(HttpRequest.Builder request) {
        headers.forEach(request::header);
        return request;
    }

    private HttpResponse<InputStream> open(HttpRequest.Builder request) throws IOException, InterruptedException {
        withHeaders(request);
        HttpResponse<InputStream> response;
        try {
            response = http.send(signed(request).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw unreachable();
        }
        if (response.statusCode() >= 300) {
            try (InputStream body = response.body()) {
                throw failure(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return response;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        withHeaders(request);
        HttpResponse<String> response;
        try {
            response = http.send(signed(request).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw unreachable();
        }
        if (response.statusCode() >= 300) {
            throw failure(response.statusCode(), response.body());
        }
        return response;
    }

    private ApiFailure unreachable() {
        return new ApiFailure(0, "unreachable", "cannot reach the Switchboard server at " + base
                + " (start one with: switchboard serve)");
    }

    private static JsonNode json(HttpResponse<String> response) {
        String body = response.body();
        return body == null || body.isBlank() ? Json.object() : Json.parse(body);
    }

    /** The server's {@code detail} (or a cancel's {@code explanation}) and {@code code}, else the status line. */
    private static ApiFailure failure(int status, String body) {
        String detail = "HTTP " + status;
        String code = "http_" + status;
        try {
            JsonNode json = Json.parse(body);
            if (json.hasNonNull("explanation")) {
                detail = json.get("explanation").asText();
            } else if (json.hasNonNull("detail")) {
                detail = json.get("detail").asText();
            }
            if (json.hasNonNull("code")) {
                code = json.get("code").asText();
            } else if (json.hasNonNull("cancel")) {
                code = json.get("cancel").asText();
            }
        } catch (RuntimeException notJson) {
            // keep the status line
        }
        return new ApiFailure(status, code, detail);
    }
}

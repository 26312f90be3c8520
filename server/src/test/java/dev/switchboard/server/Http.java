package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real HTTP client on the test server's port. Every response is checked on the way in: never a 5xx, always an
 * {@code x-request-id}, and every 4xx is JSON {@code {detail, code}}.
 */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final Map<String, String> headers;

    Http(String base) {
        this(base, Map.of());
    }

    private Http(String base, Map<String, String> headers) {
        this.base = base;
        this.headers = Map.copyOf(headers);
    }

    /** The same client sending one more header on every request. */
    Http with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Http(base, more);
    }

    /** A client authenticated with {@code x-api-key}. */
    Http key(String apiKey) {
        return with("x-api-key", apiKey);
    }

    String base() {
        return base;
    }

    record Response(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            return Json.parse(body);
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        String code() {
            return json().path("code").asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, Object body) {
        return send("POST", path, body);
    }

    Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    Response patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    Response delete(String path) {
        return send("DELETE", path, null);
    }

    Response delete(String path, Object body) {
        return send("DELETE", path, body);
    }

    Response send(String method, String path, Object body, String... extraHeaders) {
        HttpRequest request = request(method, path, body, extraHeaders).build();
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            Response response = new Response(r.statusCode(), r.headers(), r.body());
            check(method + " " + path, response.status(), response.headers(), response.body());
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a request and reads the answer as SSE; the request always asks for {@code text/event-stream}. */
    Sse stream(String method, String path, Object body, String... extraHeaders) {
        HttpRequest request = request(method, path, body, extraHeaders).header("Accept", "text/event-stream").build();
        try {
            HttpResponse<InputStream> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
            Sse sse = new Sse(r.statusCode(), r.headers(), r.body());
            check(method + " " + path, r.statusCode(), r.headers(), sse.errorBody());
            return sse;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Sse stream(String path, Object body) {
        return stream("POST", path, body);
    }

    Sse join(String path, String... extraHeaders) {
        return stream("GET", path, null, extraHeaders);
    }

    /** Sends raw bytes (for bodies too big or not JSON at all). */
    Response sendBytes(String method, String path, HttpRequest.BodyPublisher publisher) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").method(method, publisher);
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            check(method + " " + path, r.statusCode(), r.headers(), r.body());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String method, String path, Object body, String... extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            b.header(extraHeaders[i], extraHeaders[i + 1]);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(text(body)));
        }
        return b;
    }

    static String text(Object body) {
        if (body instanceof String s) {
            return s;
        }
        if (body instanceof JsonNode n) {
            return Json.write(n);
        }
        return Json.write(Json.mapper().valueToTree(body));
    }

    private static void check(String what, int status, HttpHeaders headers, String body) {
        // A store that is unreachable or full is a condition, not a bug: 503/507 with a code and Retry-After.
        boolean explained = (status == 503 || status == 507) && headers.firstValue("Retry-After").isPresent();
        if (!explained) {
            assertThat(status).as("%s answered %s %s: a 5xx is a bug", what, status, body).isLessThan(500);
        }
        assertThat(headers.firstValue("x-request-id")).as("%s carries x-request-id", what).isPresent();
        if (status >= 400) {
            assertThat(headers.firstValue("content-type").orElse("")).as("%s error content type", what)
                    .startsWith("application/json");
            JsonNode json = Json.parse(body);
            assertThat(json.isObject()).as("%s error body %s", what, body).isTrue();
            assertThat(json.path("detail").isTextual()).as("%s error has a detail: %s", what, body).isTrue();
            assertThat(json.path("code").isTextual()).as("%s error has a code: %s", what, body).isTrue();
        }
    }

    // ---- JSON builders for request bodies -------------------------------------------------------------

    static ObjectNode obj(Object... keyValues) {
        ObjectNode n = Json.object();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            n.set((String) keyValues[i], Json.mapper().valueToTree(keyValues[i + 1]));
        }
        return n;
    }

    /** {@code {"messages": [{"type": "human", "content": text}]}} */
    static ObjectNode humanInput(String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        return input;
    }

    /** A run body for the scripted graph: {@code tokens} tokens, {@code delayMs} apart. */
    static ObjectNode scriptedRun(String text, int tokens, int delayMs, Object... more) {
        ObjectNode body = obj(more);
        body.put("assistant_id", "scripted");
        body.set("input", humanInput(text));
        ObjectNode configurable = body.putObject("config").putObject("configurable");
        configurable.put("tokens", tokens);
        configurable.put("delay_ms", delayMs);
        return body;
    }

    /** The run body's {@code config.configurable}, to add knobs such as {@code tool_sleep_ms}. */
    static ObjectNode configurable(ObjectNode runBody) {
        return (ObjectNode) runBody.get("config").get("configurable");
    }

    static List<String> texts(JsonNode array, String field) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }
}

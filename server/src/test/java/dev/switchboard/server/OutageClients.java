package dev.switchboard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The clients of {@link DatabaseOutageHttpTest}: raw HTTP requests whose every answer, a 5xx included, is
 * recorded rather than asserted at once (the shared {@link Http} client fails on any 5xx), and waits on runs.
 */
final class OutageClients {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration LONG = Duration.ofSeconds(90);

    private OutageClients() {
    }

    /** What one client request was told, for the checks after the outage. */
    record Answer(String base, String what, int status, String code, String retryAfter, long startedNanos,
            long endedNanos) {
    }

    /** One random client request; every answer is checked and acknowledged writes are remembered. */
    static void request(String base, Random random, int n, List<String> threads, Map<String, String> runThread,
            Map<String, String> runText, Map<String, String> items, List<Answer> answers, List<String> unexpected) {
        int kind = random.nextInt(10);
        String thread = threads.get(random.nextInt(threads.size()));
        String method;
        String path;
        ObjectNode body = null;
        String what;
        if (kind < 2) {
            method = "POST";
            path = "/threads";
            body = Http.obj();
            what = "create thread";
        } else if (kind < 5) {
            method = "POST";
            path = "/threads/" + thread + "/runs";
            body = Http.scriptedRun("m" + n, 1 + random.nextInt(6), 10);
            what = "create run";
        } else if (kind < 7) {
            method = "PUT";
            path = "/store/items";
            body = Http.obj("namespace", List.of("r6"), "key", "k" + n, "value", Map.of("v", "v" + n));
            what = "put item";
        } else if (kind < 9) {
            method = "GET";
            path = "/threads/" + thread;
            what = "get thread";
        } else {
            method = "GET";
            path = "/threads/" + thread + "/state";
            what = "get state";
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(45));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        long started = System.nanoTime();
        HttpResponse<String> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            unexpected.add(what + " " + path + ": no answer (" + e + ")");
            return;
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return;
        }
        long ended = System.nanoTime();
        int status = r.statusCode();
        String code = null;
        if (status >= 400) {
            try {
                code = Json.parse(r.body()).path("code").asText(null);
            } catch (RuntimeException e) {
                code = null;
            }
        }
        String retryAfter = r.headers().firstValue("Retry-After").orElse(null);
        answers.add(new Answer(base, what, status, code, retryAfter, started, ended));
        if (status == 503) {
            if (retryAfter == null || !retryAfter.matches("\\d+") || code == null || code.isEmpty()) {
                unexpected.add(what + " " + path + ": 503 without Retry-After or code: " + r.headers().map() + " " + r.body());
            }
            return;
        }
        if (status >= 500) {
            unexpected.add(what + " " + path + ": " + status + " " + r.body());
            return;
        }
        if (status >= 400) {
            // A 409 for a busy thread or a 404 are clean answers too; neither acknowledges anything.
            if (code == null) {
                unexpected.add(what + " " + path + ": " + status + " without a code: " + r.body());
            }
            return;
        }
        JsonNode json = Json.parse(r.body());
        switch (what) {
            case "create thread" -> threads.add(json.path("thread_id").asText());
            case "create run" -> {
                runThread.put(json.path("run_id").asText(), json.path("thread_id").asText());
                runText.put(json.path("run_id").asText(), "m" + n);
            }
            case "put item" -> items.put("k" + n, "v" + n);
            default -> {
            }
        }
    }

    /**
     * A blocking {@code /join}: "200 " and the JSON answer (keep-alive whitespace stripped; it must be one object), or
     * the status and code of an error.
     */
    static String join(String url) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(LONG)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return r.statusCode() + " " + Json.parse(r.body()).path("code").asText();
            }
            String body = r.body().strip();
            JsonNode json = Json.parse(body);
            return json.isObject() && (json.has("messages") || json.has("__error__")) ? "200 " + Json.write(json)
                    : "200 but not the run's values: " + body;
        } catch (RuntimeException e) {
            return "unreadable answer: " + e;
        } catch (IOException e) {
            return "no answer: " + e;
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** An SSE join stream read to its end: the names of its events, space-separated. */
    static String streamEvents(String url) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (java.util.stream.Stream<String> lines = r.body()) {
                return lines.filter(l -> l.startsWith("event:")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .collect(java.util.stream.Collectors.joining(" "));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return "no end: " + e;
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** An SSE join stream read to its end: "200 " and the name of its last event, or what went wrong. */
    static String stream(String url) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(LONG).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (java.util.stream.Stream<String> lines = r.body()) {
                String last = lines.filter(l -> l.startsWith("event:")).reduce((a, b) -> b).orElse("none");
                return r.statusCode() + " " + last.substring(last.indexOf(':') + 1).strip();
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return "no end: " + e;
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Creates a thread on the instance at {@code base}; null while it cannot. */
    static String threadIfCreated(String base) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/threads"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Json.parse(r.body()).path("thread_id").asText() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return null;
        }
    }
}

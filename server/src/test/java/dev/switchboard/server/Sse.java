package dev.switchboard.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A streaming response read as Server-Sent Events, parsed the WHATWG way (field order free, {@code data}
 * lines joined, {@code :} lines are comments) on a reader thread, so a test can take frames as they arrive.
 * Every frame gets an arrival number from one counter shared by all streams, so tests can order frames of
 * different streams without looking at clocks.
 */
final class Sse implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicLong ARRIVALS = new AtomicLong();

    /** One frame: an event (event/data/id) or a comment. */
    record Frame(String event, String data, String id, String comment, long arrival) {
        boolean isComment() {
            return comment != null;
        }

        JsonNode json() {
            return data == null ? null : Json.parse(data);
        }

        long idNumber() {
            return Long.parseLong(id);
        }

        @Override
        public String toString() {
            return isComment() ? ":" + comment : event + " #" + id + " " + data;
        }
    }

    private static final Frame EOF = new Frame(null, null, null, null, -1);

    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final String errorBody;
    private final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
    private final List<Frame> seen = new ArrayList<>();
    private volatile boolean ended;

    Sse(int status, HttpHeaders headers, InputStream body) throws IOException {
        this.status = status;
        this.headers = headers;
        String type = headers.firstValue("content-type").orElse("");
        if (!type.startsWith("text/event-stream")) {
            try (body) {
                this.errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
            this.body = null;
            this.ended = true;
            queue.add(EOF);
            return;
        }
        this.errorBody = null;
        this.body = body;
        Thread.ofVirtual().name("sse-reader").start(this::read);
    }

    int status() {
        return status;
    }

    HttpHeaders headers() {
        return headers;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    boolean isEventStream() {
        return errorBody == null;
    }

    /** The body of a response that was not an event stream (an error). */
    String errorBody() {
        return errorBody;
    }

    JsonNode errorJson() {
        return Json.parse(errorBody);
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            StringBuilder data = null;
            String id = null;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (event != null || data != null || id != null) {
                        queue.add(new Frame(event == null ? "message" : event, data == null ? null : data.toString(),
                                id, null, ARRIVALS.incrementAndGet()));
                    }
                    event = null;
                    data = null;
                    id = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    String text = line.substring(1);
                    queue.add(new Frame(null, null, null, text.startsWith(" ") ? text.substring(1) : text,
                            ARRIVALS.incrementAndGet()));
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "id" -> id = value;
                    default -> {
                    }
                }
            }
        } catch (IOException closed) {
            // closed by close() or by the server
        } finally {
            queue.add(EOF);
        }
    }

    /** The next frame (comments included), or empty once the stream has ended. Fails after {@code timeout}. */
    Optional<Frame> nextAny(Duration timeout) throws InterruptedException {
        if (ended) {
            return Optional.empty();
        }
        Frame f = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
            throw new AssertionError("no SSE frame within " + timeout + "; seen so far: " + seen);
        }
        if (f == EOF) {
            ended = true;
            return Optional.empty();
        }
        seen.add(f);
        return Optional.of(f);
    }

    /** The next event frame, skipping comments; empty once the stream has ended. */
    Optional<Frame> next() throws InterruptedException {
        while (true) {
            Optional<Frame> f = nextAny(WAIT);
            if (f.isEmpty() || !f.get().isComment()) {
                return f;
            }
        }
    }

    /** Reads event frames until one matches; fails if the stream ends first. */
    Frame until(Predicate<Frame> match) throws InterruptedException {
        while (true) {
            Frame f = next().orElseThrow(() -> new AssertionError("the stream ended before the expected frame; saw "
                    + seen));
            if (match.test(f)) {
                return f;
            }
        }
    }

    Frame untilEvent(String event) throws InterruptedException {
        return until(f -> event.equals(f.event()));
    }

    /** Reads to the end of the stream; answers every frame read by this stream, comments included. */
    List<Frame> readToEnd() throws InterruptedException {
        while (nextAny(WAIT).isPresent()) {
            // keep reading
        }
        return List.copyOf(seen);
    }

    /** Event frames (no comments) read so far. */
    List<Frame> events() {
        return seen.stream().filter(f -> !f.isComment()).toList();
    }

    List<Frame> all() {
        return List.copyOf(seen);
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}

package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a Server-Sent Events body one event at a time, stamping each with {@link System#nanoTime()} when its
 * blank terminating line arrived. Both servers send one {@code data:} line per event; several are joined with
 * a newline as the SSE rules say. Comment lines (heartbeats) are skipped.
 */
final class SseReader implements AutoCloseable {
    record Event(String name, String data, long nanos) {
        /** A model token: a {@code messages} event whose AI chunk has non-empty text (tool-call chunks have none). */
        boolean isToken() {
            if (!"messages".equals(name) || data == null) {
                return false;
            }
            JsonNode chunk = Json.parse(data).path(0);
            String type = chunk.path("type").asText();
            return (type.equals("ai") || type.equals("AIMessageChunk")) && !chunk.path("content").asText().isEmpty();
        }

        String tokenText() {
            return Json.parse(data).path(0).path("content").asText();
        }
    }

    private final InputStream body;
    private final BufferedReader lines;

    SseReader(InputStream body) {
        this.body = body;
        this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 16 * 1024);
    }

    /** The next event, or null when the server closed the stream. */
    Event next() throws IOException {
        String name = null;
        StringBuilder data = null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (name != null || data != null) {
                    return new Event(name == null ? "message" : name, data == null ? null : data.toString(),
                            System.nanoTime());
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            if (line.startsWith("event:")) {
                name = field(line, 6);
            } else if (line.startsWith("data:")) {
                data = data == null ? new StringBuilder(field(line, 5)) : data.append('\n').append(field(line, 5));
            }
        }
        return null;
    }

    private static String field(String line, int from) {
        return line.length() > from && line.charAt(from) == ' ' ? line.substring(from + 1) : line.substring(from);
    }

    /** Closing before the end drops the connection: that is how a chat UI abandons a stream. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // Already gone: nothing to release.
        }
    }
}

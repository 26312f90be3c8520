package dev.switchboard.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes one run's events as Server-Sent Events: {@code event:}, {@code data:} (one line of JSON) and
 * {@code id:}, with {@code :} heartbeat comments while the run is quiet and {@code event: end} last. The
 * handler's virtual thread blocks on the subscription; nothing polls.
 *
 * <p>Ids count the frames this stream emits (0, 1, 2, …), as LangGraph clients expect, not the run log's
 * sequence numbers: which events become frames depends on the stream modes. A resume with
 * {@code Last-Event-ID: n} replays the retained log under the same modes and skips frames up to {@code n},
 * so it continues exactly after the last frame the client saw.
 */
public final class SseStream {
    private final OutputStream out;
    private final StreamModes modes;
    private final Duration heartbeat;
    // messages (legacy) mode rebuilds whole messages from token chunks, per message id.
    private final Map<String, StringBuilder> partial = new HashMap<>();
    private final Set<String> announced = new HashSet<>();
    private final long resumeAfter;
    private long nextId;
    private long lastWrite;
    private boolean unflushed;

    private GraphFrames graph;
    private String idPrefix = "";
    private boolean endFrame = true;

    private SseStream(OutputStream out, StreamModes modes, Duration heartbeat, long resumeAfter) {
        this.out = out;
        this.modes = modes;
        this.heartbeat = heartbeat;
        this.resumeAfter = resumeAfter;
    }

    /**
     * Tells the graph-level modes ({@code tasks}, {@code checkpoints}, {@code debug}, {@code events}) of a run of
     * {@code graphId}; {@code lookup} finds the stored checkpoints the {@code debug} mode names.
     */
    public SseStream withGraph(String graphId, GraphFrames.CheckpointLookup lookup, java.time.Clock clock) {
        if (GraphFrames.wanted(modes)) {
            graph = new GraphFrames(modes, graphId, lookup, clock);
        }
        return this;
    }

    /** Sets the SSE headers and commits the response. */
    public static SseStream open(Context ctx, StreamModes modes, Duration heartbeat) throws IOException {
        return open(ctx, modes, heartbeat, -1);
    }

    /** Like {@link #open(Context, StreamModes, Duration)}, resuming after the frame with id {@code resumeAfter}. */
    public static SseStream open(Context ctx, StreamModes modes, Duration heartbeat, long resumeAfter)
            throws IOException {
        ctx.status(200);
        ctx.header("Content-Type", "text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("Connection", "keep-alive");
        ctx.header("X-Accel-Buffering", "no");
        OutputStream out = ctx.res().getOutputStream();
        SseStream stream = new SseStream(out, modes, heartbeat, resumeAfter);
        out.flush();
        return stream;
    }

    /**
     * One run's part of a thread stream ({@code GET /threads/{id}/stream}), written to {@code out} (shared with the
     * thread's other runs, one frame per write): ids are {@code <run_id>_<n>} so that {@code Last-Event-ID} names
     * the run too, and no {@code end} frame, as the thread stream goes on after each run.
     */
    public static SseStream ofThreadRun(OutputStream out, StreamModes modes, Duration heartbeat, long resumeAfter,
            String runId) {
        SseStream stream = new SseStream(out, modes, heartbeat, resumeAfter);
        stream.idPrefix = runId + "_";
        stream.endFrame = false;
        return stream;
    }

    /** Thrown when the client went away. */
    public static final class ClientGone extends IOException {
        ClientGone(IOException cause) {
            super("client disconnected", cause);
        }
    }

    /**
     * Streams until the run's {@code end} event; returns normally then. A heartbeat goes out whenever nothing was
     * written for the heartbeat interval, whatever events arrived meanwhile: the run may produce events these modes
     * do not send (tokens under {@code values}), and a write is the only way to learn that the client left.
     * Intervals are measured with {@link System#nanoTime()}, which wall-clock changes cannot move.
     */
    public void pump(Subscription subscription) throws IOException, InterruptedException {
        long interval = heartbeat.toNanos();
        lastWrite = System.nanoTime();
        while (true) {
            long quietFor = System.nanoTime() - lastWrite;
            if (quietFor >= interval) {
                if (subscription.isFinished()) {
                    return;
                }
                comment("heartbeat");
                continue;
            }
            Optional<SequencedEvent> next = subscription.next(Duration.ofNanos(interval - quietFor));
            if (next.isEmpty()) {
                if (subscription.isFinished()) {
                    return;
                }
                continue;
            }
            SequencedEvent e = next.get();
            write(e);
            // What is already there goes out with this one in one flush: a burst of tokens is one write to the
            // socket, not one per token. Nothing is held back: the flush comes as soon as the log has no more.
            while (!(e.event() instanceof RunEvent.End)) {
                Optional<SequencedEvent> more = subscription.next(Duration.ZERO);
                if (more.isEmpty()) {
                    break;
                }
                e = more.get();
                write(e);
            }
            flush();
            if (e.event() instanceof RunEvent.End) {
                return;
            }
        }
    }

    void write(SequencedEvent sequenced) throws IOException {
        long id = sequenced.sequence();
        if (graph != null) {
            for (GraphFrames.Frame f : graph.on(sequenced.event())) {
                frame(f.event(), f.data(), id);
            }
        }
        switch (sequenced.event()) {
            case RunEvent.Metadata m -> {
                ObjectNode data = Json.object();
                data.put("run_id", m.runId().toString());
                if (m.threadId() != null) {
                    data.put("thread_id", m.threadId().toString());
                }
                data.put("attempt", m.attempt());
                frame("metadata", data, id);
            }
            case RunEvent.Values v -> {
                if (modes.has("values")) {
                    frame("values", v.json(), id);
                }
            }
            case RunEvent.Updates u -> {
                if (modes.has("updates")) {
                    ObjectNode data = Json.object();
                    data.set(u.node(), u.update());
                    frame("updates", data, id);
                }
            }
            case RunEvent.MessageChunk c -> {
                if (modes.has("messages-tuple")) {
                    frame("messages", c.tupleJson(), id);
                }
                if (modes.has("messages")) {
                    legacyPartial(c, id);
                }
            }
            case RunEvent.MessageComplete m -> {
                if (modes.has("messages")) {
                    ArrayNode data = Json.array();
                    data.add(m.message());
                    frame("messages/complete", data, id);
                }
            }
            case RunEvent.Custom c -> {
                if (modes.has("custom")) {
                    frame("custom", c.payload(), id);
                }
            }
            // The notices that a run was cancelled or that this instance lost it (its lease could not be renewed,
            // say on a full disk) go out whatever the modes: a client must learn why its stream ended
            // (DESIGN.md §2); the other notices are custom events like any.
            case RunEvent.RunCancelled n -> frame("custom", n.payload(), id);
            case RunEvent.LeaseLost n -> frame("custom", n.payload(), id);
            case RunEvent.Notice n -> {
                if (modes.has("custom")) {
                    frame("custom", n.payload(), id);
                }
            }
            case RunEvent.Error err -> frame("error", clientError(err), id);
            case RunEvent.End end -> frame("end", "null", id);
        }
    }

    /** Errors whose name and message are Switchboard's own words, safe to show a client as they are. */
    private static final java.util.Map<String, String> OWN_ERRORS = java.util.Map.of("GraphRecursionError",
            "recursion_limit", "StepTimeoutError", "step_timeout", "NotInterruptedError", "not_interrupted");

    /**
     * What a client sees of a failed run: a stable error name and code, and for anything but Switchboard's own
     * errors no exception text (it may carry internal details, paths or data); the server log has those, under
     * the request id this response carries in {@code x-request-id}.
     */
    static ObjectNode clientError(RunEvent.Error err) {
        ObjectNode data = Json.object();
        if (OWN_ERRORS.containsKey(err.error())) {
            data.put("error", err.error());
            data.put("message", err.message());
            data.put("code", OWN_ERRORS.get(err.error()));
        } else {
            data.put("error", "RunError");
            data.put("message", "the run failed on the server; see the server log for this run");
            data.put("code", "run_failed");
        }
        return data;
    }

    private void legacyPartial(RunEvent.MessageChunk c, long id) throws IOException {
        String messageId = c.chunk().path("id").asText();
        if (announced.add(messageId)) {
            ObjectNode meta = Json.object();
            meta.putObject(messageId).set("metadata", c.metadata());
            frame("messages/metadata", meta, -1);
        }
        StringBuilder text = partial.computeIfAbsent(messageId, k -> new StringBuilder());
        text.append(c.chunk().path("content").asText());
        ObjectNode message = c.chunk().deepCopy();
        message.put("content", text.toString());
        ArrayNode data = Json.array();
        data.add(message);
        frame("messages/partial", data, id);
    }

    private void frame(String event, JsonNode data, long logSequence) throws IOException {
        frame(event, data == null ? "null" : Json.write(data), logSequence);
    }

    /** A frame whose data is JSON text already (the event encoded it once for every subscriber). */
    private void frame(String event, String json, long logSequence) throws IOException {
        long id = nextId++;
        if (id <= resumeAfter || (!endFrame && "end".equals(event))) {
            return;
        }
        StringBuilder b = new StringBuilder(32 + json.length());
        b.append("event: ").append(event).append('\n');
        b.append("data: ").append(json).append('\n');
        b.append("id: ").append(idPrefix).append(id).append('\n');
        b.append('\n');
        send(b.toString());
    }

    void comment(String text) throws IOException {
        send(": " + text + "\n\n");
        flush();
    }

    /** Writes a frame; it reaches the client at the next {@link #flush()} (at once for a thread stream's runs). */
    private void send(String text) throws IOException {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            unflushed = true;
            if (!endFrame) {
                // A thread stream's runs share one output: each frame is flushed whole before another run writes.
                out.flush();
                unflushed = false;
                lastWrite = System.nanoTime();
            }
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    /**
     * Sends what was written since the last flush. Only a write counts as contact with the client for the
     * heartbeat: events this stream's modes do not send leave nothing to flush and must not reset its timer.
     */
    void flush() throws IOException {
        if (!unflushed) {
            return;
        }
        try {
            out.flush();
            unflushed = false;
            lastWrite = System.nanoTime();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }
}

package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One conversation seen from a terminal: sends messages as runs on a thread, reads each run's stream on its
 * own virtual thread and prints it through a {@link ChatOutput}. The demo drives it the same way the
 * terminal chat does, and waits on its state (tokens seen, operation progress, idle) instead of sleeping.
 *
 * <p>Why this class is longer than ~400 lines: it is the client's one state machine for a conversation (runs
 * sent, streams followed, operations and lanes shown, double-text strategies applied), and the demo's waits read
 * that same state under the same lock; splitting it would lend the lock.
 */
final class ChatSession {
    static final Set<String> STRATEGIES = Set.of("reject", "enqueue", "interrupt", "rollback");
    private static final int RECONNECTS = 3;
    private static final int HISTORY_SHOWN = 10;

    private final AgentClient client;
    private final String assistant;
    private final UUID threadId;
    private final ChatOutput printer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<UUID, RunView> runs = new LinkedHashMap<>();
    private final Map<String, OperationView> operations = new LinkedHashMap<>();
    private final Set<String> held = new HashSet<>();
    private volatile boolean closing;

    private static final class RunView {
        final UUID runId;
        final Set<String> open = new LinkedHashSet<>();
        long lastEventId = -1;
        int tokens;
        String lane = "main";
        boolean ended;

        RunView(UUID runId) {
            this.runId = runId;
        }
    }

    /** What the session knows of an operation. */
    record OperationView(String operationId, String tool, String status, int percent, String step) {
    }

    /** What a {@link #send} achieved: the run, or why there is none. */
    record Sent(Optional<UUID> runId, String refusal) {
    }

    ChatSession(AgentClient client, String assistant, UUID threadId, ChatOutput printer) {
        this.client = client;
        this.assistant = assistant;
        this.threadId = threadId;
        this.printer = printer;
    }

    UUID threadId() {
        return threadId;
    }

    // ---- sending -----------------------------------------------------------------------------------------

    /**
     * Sends {@code text} as a new run with {@code strategy} for the case that the agent is busy. Returns once
     * the server accepted (or refused) it; the answer prints as it streams.
     */
    Sent send(String text, String strategy, boolean carrySuperseded) throws InterruptedException {
        ObjectNode body = Json.object();
        body.put("assistant_id", assistant);
        ObjectNode message = body.putObject("input").putArray("messages").addObject();
        message.put("type", "human");
        message.put("content", text);
        message.put("id", UUID.randomUUID().toString());
        ArrayNode modes = body.putArray("stream_mode");
        modes.add("messages-tuple").add("values").add("custom");
        body.put("stream_resumable", true);
        body.put("on_disconnect", "continue");
        body.put("if_not_exists", "create");
        body.put("multitask_strategy", strategy);
        if (carrySuperseded) {
            body.put("superseded_input", "carry");
        }
        AgentClient.Stream stream;
        try {
            stream = client.stream("/threads/" + threadId + "/runs/stream", body);
        } catch (AgentClient.ApiFailure e) {
            String why = "thread_busy".equals(e.code)
                    ? "not sent: the agent is still answering and the strategy is reject (/strategy to change it)"
                    : "not sent: " + e.getMessage();
            printer.line("! " + why);
            return new Sent(Optional.empty(), why);
        } catch (IOException e) {
            printer.line("! not sent: " + e.getMessage());
            return new Sent(Optional.empty(), e.getMessage());
        }
        follow(stream);
        if (strategy.equals("enqueue")) {
            // Only a queued message waits; one that interrupts or rolls back is pending just for a moment.
            Thread.ofVirtual().name("chat-describe-" + stream.runId()).start(() -> describe(stream.runId()));
        }
        return new Sent(Optional.of(stream.runId()), null);
    }

    /** Says so when a message waits in the queue behind the current answer. */
    private void describe(UUID runId) {
        try {
            JsonNode run = client.get("/threads/" + threadId + "/runs/" + runId);
            lock.lock();
            try {
                RunView view = runs.get(runId);
                if (view != null && view.tokens == 0 && !view.ended && "pending".equals(run.path("status").asText())) {
                    printer.line("  (queued: it runs after the current answer)");
                }
            } finally {
                lock.unlock();
            }
        } catch (IOException | InterruptedException e) {
            // a run rolled back this quickly has nothing to describe
        }
    }

    /** Cancels the operation in progress, if any; prints what the server answered. */
    void cancelOperation() throws InterruptedException {
        Optional<OperationView> running;
        lock.lock();
        try {
            running = operations.values().stream().filter(o -> o.status().equals("running")).reduce((a, b) -> b);
        } finally {
            lock.unlock();
        }
        if (running.isEmpty()) {
            printer.line("  (no operation is running)");
            return;
        }
        OperationView op = running.get();
        try {
            JsonNode answer = client.post("/operations/" + op.operationId() + "/cancel", Json.object());
            printer.line("  " + op.tool() + ": " + ("accepted".equals(answer.path("cancel").asText())
                    ? "cancel accepted; it stops before it changes anything" : answer.path("explanation").asText()));
        } catch (AgentClient.ApiFailure e) {
            printer.line("  " + op.tool() + ": " + (e.status == 409 ? "cannot be cancelled any more: " : "")
                    + e.getMessage());
        } catch (IOException e) {
            printer.line("! " + e.getMessage());
        }
    }

    // ---- history and rejoining ---------------------------------------------------------------------------

    /** Prints the end of the conversation so far; returns false when the thread does not exist yet. */
    boolean showHistory() throws IOException, InterruptedException {
        JsonNode state;
        try {
            state = client.get("/threads/" + threadId + "/state");
        } catch (AgentClient.ApiFailure e) {
            if (e.status == 404) {
                return false;
            }
            throw e;
        }
        JsonNode values = state.path("values");
        var shown = new java.util.ArrayList<JsonNode>();
        for (String key : new String[] {"messages", "interim_messages"}) {
            for (JsonNode m : values.path(key)) {
                String id = m.path("id").asText();
                if (held.add(id) && isShown(m)) {
                    shown.add(m);
                }
            }
        }
        if (!shown.isEmpty()) {
            int from = Math.max(0, shown.size() - HISTORY_SHOWN);
            printer.line("— earlier in this conversation" + (from > 0 ? " (last " + HISTORY_SHOWN + " messages)" : "")
                    + " —");
            for (JsonNode m : shown.subList(from, shown.size())) {
                boolean human = m.path("type").asText().equals("human");
                String lane = m.path("additional_kwargs").path("lane").asText("main");
                printer.line((human ? youPrefix(lane) : agentPrefix(lane)) + text(m));
            }
            printer.line("—");
        }
        return true;
    }

    /** Follows the runs of this thread that are still going (started before this session, or elsewhere). */
    void rejoinActive() throws IOException, InterruptedException {
        JsonNode list = client.get("/threads/" + threadId + "/runs?limit=50");
        for (JsonNode run : list) {
            String status = run.path("status").asText();
            if (status.equals("pending") || status.equals("running")) {
                UUID runId = UUID.fromString(run.path("run_id").asText());
                lock.lock();
                boolean known;
                try {
                    known = runs.containsKey(runId);
                } finally {
                    lock.unlock();
                }
                if (!known) {
                    follow(client.join(threadId, runId, -1));
                }
            }
        }
    }

    // ---- reading streams ---------------------------------------------------------------------------------

    private void follow(AgentClient.Stream first) {
        lock.lock();
        try {
            runs.put(first.runId(), new RunView(first.runId()));
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("chat-run-" + first.runId()).start(() -> read(first));
    }

    /** Reads until {@code end}; a dropped connection resumes after the last frame seen (Last-Event-ID). */
    private void read(AgentClient.Stream first) {
        UUID runId = first.runId();
        AgentClient.Stream stream = first;
        int attempts = 0;
        try {
            while (true) {
                try {
                    stream.read(e -> handle(runId, e));
                    if (ended(runId)) {
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    if (closing) {
                        return;
                    }
                }
                if (++attempts > RECONNECTS || closing) {
                    printer.line("! lost the answer stream of run " + runId);
                    return;
                }
                try {
                    stream = client.join(threadId, runId, lastEventId(runId));
                } catch (AgentClient.ApiFailure gone) {
                    if (gone.status == 404) {
                        return;
                    }
                } catch (IOException e) {
                    // the next attempt tries again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.lock();
            try {
                RunView view = runs.remove(runId);
                if (view != null) {
                    for (String key : view.open) {
                        printer.endMessage(key, "");
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean ended(UUID runId) {
        lock.lock();
        try {
            RunView view = runs.get(runId);
            return view == null || view.ended;
        } finally {
            lock.unlock();
        }
    }

    private long lastEventId(UUID runId) {
        lock.lock();
        try {
            RunView view = runs.get(runId);
            return view == null ? -1 : view.lastEventId;
        } finally {
            lock.unlock();
        }
    }

    private void handle(UUID runId, AgentClient.Event event) {
        lock.lock();
        try {
            RunView run = runs.get(runId);
            if (run == null) {
                return;
            }
            if (event.id() != null) {
                try {
                    run.lastEventId = Long.parseLong(event.id().trim());
                } catch (NumberFormatException ignored) {
                    // an id we cannot resume from; keep the previous one
                }
            }
            JsonNode data = event.data();
            switch (event.name()) {
                case "messages" -> token(run, data.path(0), data.path(1));
                case "values" -> values(data);
                case "custom" -> custom(run, data);
                case "error" -> printer.line("! the agent could not finish: "
                        + data.path("message").asText(data.path("error").asText("unknown error")));
                case "end" -> {
                    for (String key : run.open) {
                        printer.endMessage(key, "");
                    }
                    run.open.clear();
                    run.ended = true;
                }
                default -> {
                    // metadata and anything else: nothing to print
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void token(RunView run, JsonNode chunk, JsonNode metadata) {
        String type = chunk.path("type").asText();
        String id = chunk.path("id").asText();
        if (!type.equals("ai") && !type.equals("AIMessageChunk") || id.isEmpty() || held.contains(id)) {
            return;
        }
        String content = chunk.path("content").isTextual() ? chunk.path("content").asText() : "";
        if (content.isEmpty()) {
            return;
        }
        run.lane = metadata.path("lane").asText(run.lane);
        String key = "m:" + id;
        run.open.add(key);
        run.tokens++;
        printer.token(key, agentPrefix(run.lane), content);
    }

    private void values(JsonNode values) {
        JsonNode pause = values.path("__interrupt__");
        if (pause.isArray()) {
            // The run paused for the person: print what it asks. A plain y/yes or n/no typed next is the answer
            // (the server reads a new message on a paused thread as one).
            for (JsonNode interrupt : pause) {
                for (JsonNode action : interrupt.path("value").path("action_requests")) {
                    printer.line("? " + action.path("description").asText(action.path("name").asText())
                            + " [y/n]");
                }
            }
            return;
        }
        for (String field : new String[] {"messages", "interim_messages"}) {
            for (JsonNode m : values.path(field)) {
                String id = m.path("id").asText();
                if (held.add(id)) {
                    String key = "m:" + id;
                    for (RunView view : runs.values()) {
                        if (view.open.remove(key)) {
                            printer.endMessage(key, "");
                        }
                    }
                }
            }
        }
    }

    private void custom(RunView run, JsonNode data) {
        String type = data.path("type").asText();
        if (type.equals("run_cancelled")) {
            String suffix = data.path("status").asText().equals("rolled_back") ? "[rolled back]" : "[interrupted]";
            for (String key : run.open) {
                printer.endMessage(key, suffix);
            }
            run.open.clear();
            return;
        }
        if (!type.startsWith("operation_")) {
            return;
        }
        String id = data.path("operation_id").asText();
        OperationView op = new OperationView(id, data.path("tool").asText("operation"), data.path("status").asText(),
                data.path("percent").asInt(), data.path("step").asText(""));
        OperationView before = operations.put(id, op);
        boolean last = !op.status().equals("running");
        if (before != null && !before.status().equals("running")) {
            return;
        }
        printer.bar("op:" + id, barText(op), op.status() + " " + op.step(), last);
    }

    private String barText(OperationView op) {
        boolean u = printer.unicode();
        int cells = 20;
        int filled = Math.round(op.percent() * cells / 100f);
        String bar = (u ? "█" : "#").repeat(filled) + (u ? "░" : "-").repeat(cells - filled);
        String mark = switch (op.status()) {
            case "succeeded" -> u ? "✔" : "[ok]";
            case "failed" -> u ? "✖" : "[failed]";
            case "cancelled" -> u ? "✖" : "[cancelled]";
            default -> u ? "⚙" : "[..]";
        };
        String what = op.status().equals("running") ? op.step() : op.status();
        return String.format("%s %s [%s] %3d%%  %s", mark, op.tool(), bar, op.percent(), what);
    }

    // ---- waiting (the demo, tests and end of input) ------------------------------------------------------

    /** What {@link #await} conditions look at. */
    record View(int streaming, Map<UUID, Integer> tokens, Map<String, OperationView> operations) {
        int tokensOf(UUID runId) {
            return tokens.getOrDefault(runId, 0);
        }

        boolean anyOperationAt(int percent) {
            return operations.values().stream().anyMatch(o -> o.percent() >= percent);
        }

        boolean idle() {
            return streaming == 0;
        }
    }

    /** Blocks until {@code condition} holds or {@code timeout} passes; true if it held. */
    boolean await(Predicate<View> condition, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.test(view())) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private View view() {
        Map<UUID, Integer> tokens = new LinkedHashMap<>();
        runs.forEach((id, r) -> tokens.put(id, r.tokens));
        return new View(runs.size(), tokens, Map.copyOf(operations));
    }

    /** Stops reading; the runs go on on the server. */
    void close() {
        closing = true;
        printer.finish();
    }

    // ---- text --------------------------------------------------------------------------------------------

    String agentPrefix(String lane) {
        String arrow = printer.unicode() ? " › " : " > ";
        return "secondary".equals(lane) ? "agent [secondary lane]" + arrow : "agent" + arrow;
    }

    String youPrefix(String lane) {
        String arrow = printer.unicode() ? " › " : " > ";
        return "secondary".equals(lane) ? "you [secondary lane]" + arrow : "you" + arrow;
    }

    private static boolean isShown(JsonNode m) {
        String type = m.path("type").asText();
        return (type.equals("human") || type.equals("ai")) && !text(m).isBlank();
    }

    private static String text(JsonNode m) {
        JsonNode content = m.path("content");
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode part : content) {
            b.append(part.isTextual() ? part.asText() : part.path("text").asText(""));
        }
        return b.toString();
    }
}

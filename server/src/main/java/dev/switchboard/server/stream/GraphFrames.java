package dev.switchboard.server.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.event.RunEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The graph-level stream modes, {@code tasks}, {@code checkpoints}, {@code debug} and {@code events}, told from a
 * run's events as the Agent Server tells them (payloads compared with the LangGraph.js peer's: docs/streaming.md).
 *
 * <p>Every Switchboard graph is the same loop: an input checkpoint (step -1, next {@code agent}), then {@code agent}
 * and {@code tools} steps, each ending in an {@code updates} event and the checkpoint it wrote ({@code values}).
 * So the task that runs next is known the moment a checkpoint is written (its {@code next}), and a task's result is
 * its node's update: a task starts when the checkpoint that schedules it arrives, not after the fact. Ids are
 * derived from the run id, step and node, so a resumed stream ({@code Last-Event-ID}) replays identical frames.
 * The {@code debug} checkpoint frame carries the stored checkpoint's id, parent and config, looked up by run and
 * step; {@code timestamp}s are the checkpoint's time, or the stream's clock for tasks.
 */
public final class GraphFrames {
    /** Finds the checkpoint a run wrote at a step, for the {@code debug} mode's ids. */
    @FunctionalInterface
    public interface CheckpointLookup {
        Optional<Checkpoint> find(UUID threadId, UUID runId, int step);

        CheckpointLookup NONE = (t, r, s) -> Optional.empty();
    }

    record Frame(String event, JsonNode data) {
    }

    private static final String AGENT = "agent";
    private static final String TOOLS = "tools";

    private final StreamModes modes;
    private final String graphId;
    private final CheckpointLookup lookup;
    private final Clock clock;
    private UUID runId;
    private UUID threadId;
    private int attempt = 1;
    private int step = -1;
    private boolean sawValues;
    private boolean afterUpdate;
    private List<String> next = List.of();
    private ObjectNode lastValues = Json.object();
    private String openNode;
    private int openStep;
    private ObjectNode openInput;
    private final Set<String> modelsStarted = new HashSet<>();

    GraphFrames(StreamModes modes, String graphId, CheckpointLookup lookup, Clock clock) {
        this.modes = modes;
        this.graphId = graphId == null ? "LangGraph" : graphId;
        this.lookup = lookup;
        this.clock = clock;
    }

    /** True when any of these modes was asked for; otherwise {@link #on} is never needed. */
    static boolean wanted(StreamModes modes) {
        return modes.has("tasks") || modes.has("checkpoints") || modes.has("debug") || modes.has("events");
    }

    List<Frame> on(RunEvent event) {
        List<Frame> out = new ArrayList<>();
        switch (event) {
            case RunEvent.Metadata m -> {
                runId = m.runId();
                threadId = m.threadId();
                attempt = m.attempt();
            }
            case RunEvent.Values v -> {
                // A pause's {"__interrupt__": [...]} is no state snapshot: no checkpoint or task frame comes of it.
                if (!v.values().has("__interrupt__")) {
                    onValues(v.values(), out);
                }
            }
            case RunEvent.Updates u -> {
                if (u.update() instanceof com.fasterxml.jackson.databind.node.ObjectNode update) {
                    onUpdate(u.node(), update, out);
                }
            }
            case RunEvent.MessageChunk c -> {
                if (modes.has("events")) {
                    String id = c.chunk().path("id").asText();
                    if (modelsStarted.add(id)) {
                        out.add(event("on_chat_model_start", "ChatModel", modelRunId(id), List.of(), c.metadata(),
                                data("input", messagesOf(openInput))));
                    }
                    out.add(event("on_chat_model_stream", "ChatModel", modelRunId(id), List.of(), c.metadata(),
                            data("chunk", c.chunk())));
                }
            }
            case RunEvent.MessageComplete m -> {
                String id = m.message().path("id").asText();
                if (modes.has("events") && "ai".equals(m.message().path("type").asText()) && AGENT.equals(openNode)) {
                    if (modelsStarted.add(id)) {
                        out.add(event("on_chat_model_start", "ChatModel", modelRunId(id), List.of(), m.metadata(),
                                data("input", messagesOf(openInput))));
                    }
                    ObjectNode d = data("input", messagesOf(openInput));
                    d.set("output", m.message());
                    out.add(event("on_chat_model_end", "ChatModel", modelRunId(id), List.of(), m.metadata(), d));
                }
            }
            case RunEvent.Error err -> {
                if (openNode != null) {
                    ObjectNode result = taskResult(null, SseStream.clientError(err).path("message").asText());
                    if (modes.has("tasks")) {
                        out.add(new Frame("tasks", result));
                    }
                    if (modes.has("debug")) {
                        out.add(new Frame("debug", debug(openStep, "task_result", clock.instant(), result)));
                    }
                    openNode = null;
                }
            }
            case RunEvent.End end -> {
                if (modes.has("events") && sawValues && openNode == null) {
                    ObjectNode d = Json.object();
                    d.set("output", lastValues);
                    out.add(event("on_chain_end", graphId, runId, List.of(), rootMetadata(), d));
                }
            }
            case RunEvent.Custom c -> {
            }
            case RunEvent.RunCancelled c -> {
            }
            case RunEvent.Notice n -> {
            }
        }
        return out;
    }

    private void onValues(ObjectNode values, List<Frame> out) {
        boolean input = !sawValues;
        if (input && modes.has("events")) {
            out.add(event("on_chain_start", graphId, runId, List.of(), rootMetadata(), data("input", values)));
        }
        sawValues = true;
        if (input) {
            next = List.of(AGENT);
        } else if (!afterUpdate) {
            next = List.of();
        }
        String source = input ? "input" : afterUpdate ? "loop" : "update";
        afterUpdate = false;
        lastValues = values;
        if (modes.has("checkpoints")) {
            ObjectNode c = Json.object();
            c.set("values", values);
            c.set("metadata", checkpointMetadata(source));
            c.set("next", strings(next));
            out.add(new Frame("checkpoints", c));
        }
        if (modes.has("debug")) {
            Optional<Checkpoint> stored = threadId == null ? Optional.empty() : lookup.find(threadId, runId, step);
            out.add(new Frame("debug", debug(step, "checkpoint",
                    stored.map(Checkpoint::createdAt).orElseGet(clock::instant), debugCheckpoint(values, source, stored))));
        }
        for (String node : next) {
            openNode = node;
            openStep = step + 1;
            openInput = values;
            ObjectNode task = Json.object();
            task.put("id", taskId(openStep, node));
            task.put("name", node);
            task.set("input", values);
            task.set("triggers", strings(List.of("branch:to:" + node)));
            task.set("interrupts", Json.array());
            task.set("metadata", rootMetadata());
            if (modes.has("tasks")) {
                out.add(new Frame("tasks", task));
            }
            if (modes.has("debug")) {
                out.add(new Frame("debug", debug(openStep, "task", clock.instant(), task)));
            }
            if (modes.has("events")) {
                out.add(event("on_chain_start", node, nodeRunId(openStep, node), List.of("graph:step:" + openStep),
                        nodeMetadata(node, openStep), data("input", values)));
            }
        }
    }

    private void onUpdate(String node, ObjectNode update, List<Frame> out) {
        step = openNode != null && openNode.equals(node) ? openStep : step + 1;
        ObjectNode result = taskResult(update, null);
        if (!node.equals(openNode)) {
            result.put("id", taskId(step, node));
            result.put("name", node);
        }
        if (modes.has("tasks")) {
            out.add(new Frame("tasks", result));
        }
        if (modes.has("debug")) {
            out.add(new Frame("debug", debug(step, "task_result", clock.instant(), result)));
        }
        if (modes.has("events")) {
            ObjectNode d = data("input", openInput == null ? lastValues : openInput);
            d.set("output", update);
            out.add(event("on_chain_end", node, nodeRunId(step, node), List.of("graph:step:" + step),
                    nodeMetadata(node, step), d));
        }
        openNode = null;
        afterUpdate = true;
        next = switch (node) {
            case AGENT -> hasToolCalls(update) ? List.of(TOOLS) : List.of();
            case TOOLS -> List.of(AGENT);
            default -> List.of();
        };
    }

    private ObjectNode taskResult(ObjectNode update, String error) {
        ObjectNode r = Json.object();
        r.put("id", taskId(openStep, openNode == null ? "" : openNode));
        r.put("name", openNode);
        if (update != null) {
            r.set("result", update);
        } else {
            r.putNull("result");
        }
        r.set("interrupts", Json.array());
        if (error == null) {
            r.putNull("error");
        } else {
            r.put("error", error);
        }
        return r;
    }

    private static boolean hasToolCalls(ObjectNode update) {
        JsonNode messages = update.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            return false;
        }
        JsonNode calls = messages.get(messages.size() - 1).path("tool_calls");
        return calls.isArray() && !calls.isEmpty();
    }

    private ObjectNode checkpointMetadata(String source) {
        ObjectNode m = Json.object();
        m.put("source", source);
        m.put("step", step);
        m.set("parents", Json.object());
        return m;
    }

    private ObjectNode debugCheckpoint(ObjectNode values, String source, Optional<Checkpoint> stored) {
        ObjectNode p = Json.object();
        p.set("config", config(stored.map(Checkpoint::checkpointId).orElse(null)));
        p.set("values", values);
        p.set("metadata", stored.map(c -> (JsonNode) c.metadata()).orElseGet(() -> checkpointMetadata(source)));
        p.set("next", strings(next));
        ArrayNode tasks = p.putArray("tasks");
        for (String node : next) {
            ObjectNode t = tasks.addObject();
            t.put("id", taskId(step + 1, node));
            t.put("name", node);
            t.set("path", strings(List.of("__pregel_pull", node)));
            t.set("interrupts", Json.array());
        }
        UUID parent = stored.map(Checkpoint::parentId).orElse(null);
        p.set("checkpoint", checkpointRef(stored.map(Checkpoint::checkpointId).orElse(null)));
        p.set("parent_checkpoint", parent == null ? null : checkpointRef(parent));
        if (parent != null) {
            p.set("parent_config", config(parent));
        }
        return p;
    }

    private ObjectNode config(UUID checkpointId) {
        ObjectNode c = Json.object();
        ObjectNode configurable = c.putObject("configurable");
        configurable.put("checkpoint_ns", "");
        configurable.put("run_id", String.valueOf(runId));
        configurable.put("thread_id", String.valueOf(threadId));
        configurable.put("graph_id", graphId);
        if (checkpointId != null) {
            configurable.put("checkpoint_id", checkpointId.toString());
        }
        c.set("metadata", rootMetadata());
        c.set("tags", Json.array());
        return c;
    }

    private ObjectNode checkpointRef(UUID checkpointId) {
        if (checkpointId == null) {
            return null;
        }
        ObjectNode c = Json.object();
        c.put("thread_id", String.valueOf(threadId));
        c.put("checkpoint_id", checkpointId.toString());
        c.put("checkpoint_ns", "");
        c.putNull("checkpoint_map");
        return c;
    }

    private static ObjectNode debug(int step, String type, Instant at, ObjectNode payload) {
        ObjectNode d = Json.object();
        d.put("step", step);
        d.put("type", type);
        d.put("timestamp", at.toString());
        d.set("payload", payload);
        return d;
    }

    private Frame event(String kind, String name, UUID id, List<String> tags, JsonNode metadata, ObjectNode data) {
        ObjectNode e = Json.object();
        e.put("event", kind);
        e.set("data", data);
        e.put("run_id", String.valueOf(id));
        e.put("name", name);
        e.set("tags", strings(tags));
        e.set("metadata", metadata == null ? rootMetadata() : metadata);
        return new Frame("events", e);
    }

    private ObjectNode rootMetadata() {
        ObjectNode m = Json.object();
        m.put("graph_id", graphId);
        m.put("run_attempt", attempt);
        m.put("run_id", String.valueOf(runId));
        m.put("thread_id", String.valueOf(threadId));
        return m;
    }

    private ObjectNode nodeMetadata(String node, int atStep) {
        ObjectNode m = rootMetadata();
        m.put("langgraph_step", atStep);
        m.put("langgraph_node", node);
        m.set("langgraph_triggers", strings(List.of("branch:to:" + node)));
        m.set("langgraph_path", strings(List.of("__pregel_pull", node)));
        return m;
    }

    private static ObjectNode data(String field, JsonNode value) {
        ObjectNode d = Json.object();
        d.set(field, value == null ? Json.object() : value);
        return d;
    }

    private static ObjectNode messagesOf(ObjectNode values) {
        ObjectNode in = Json.object();
        in.set("messages", values == null ? Json.array() : values.path("messages").deepCopy());
        return in;
    }

    private String taskId(int atStep, String node) {
        return derived("task:" + atStep + ":" + node).toString();
    }

    private UUID nodeRunId(int atStep, String node) {
        return derived("node:" + atStep + ":" + node);
    }

    private UUID modelRunId(String messageId) {
        return derived("model:" + messageId);
    }

    private UUID derived(String what) {
        return UUID.nameUUIDFromBytes((runId + ":" + what).getBytes(StandardCharsets.UTF_8));
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = Json.array();
        values.forEach(a::add);
        return a;
    }
}

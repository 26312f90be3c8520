package dev.switchboard.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a run stopped for a person, kept with the checkpoint it stopped at: the node that runs when the thread is
 * resumed ({@code agent} or {@code tools}), its task id, the pending interrupts (an approval request, a tool's
 * own question; none for a breakpoint), the tool calls it concerns (those awaiting approval, in the order of the
 * request's actions; the call a tool paused in), and what a tool interrupt needs to be re-executed from its
 * start: the values its earlier interrupts were resumed with, and the results of the calls of the same step that
 * had already completed (never executed twice).
 */
public record Pause(Kind kind, String node, String taskId, List<Interrupt> interrupts, List<String> callIds,
        List<JsonNode> resumed, List<ObjectNode> completed) {

    /** Where the pause is kept: a reserved key of the checkpoint's metadata (stripped from the wire). */
    public static final String METADATA_KEY = "pending_interrupts";

    /** What made the run stop. */
    public enum Kind {
        /** {@code interrupt_before}: the node has not run. */
        BEFORE("before"),
        /** {@code interrupt_after}: the node ran; the next one has not. */
        AFTER("after"),
        /** A tool call that needs a person's decision, before it runs. */
        APPROVAL("approval"),
        /** A tool asked through {@code ToolContext.interrupt}. */
        TOOL("tool");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Kind fromWire(String text) {
            for (Kind k : values()) {
                if (k.wireName.equals(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown pause kind " + text);
        }
    }

    /** One pending interrupt: LangGraph's {@code {id, value}}. */
    public record Interrupt(String id, JsonNode value) {
        public Interrupt {
            Objects.requireNonNull(id, "id");
            value = value == null ? Json.mapper().nullNode() : value.deepCopy();
        }

        public ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("id", id);
            n.set("value", value.deepCopy());
            return n;
        }
    }

    public Pause {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(taskId, "taskId");
        interrupts = List.copyOf(interrupts);
        callIds = callIds == null ? List.of() : List.copyOf(callIds);
        resumed = resumed == null ? List.of() : resumed.stream().<JsonNode>map(JsonNode::deepCopy).toList();
        completed = completed == null ? List.of() : completed.stream().<ObjectNode>map(ObjectNode::deepCopy).toList();
    }

    /** The interrupts as LangGraph lists them ({@code __interrupt__}, {@code tasks[].interrupts}). */
    public ArrayNode interruptsJson() {
        ArrayNode a = Json.array();
        interrupts.forEach(i -> a.add(i.toJson()));
        return a;
    }

    public Optional<Interrupt> interrupt(String id) {
        return interrupts.stream().filter(i -> i.id().equals(id)).findFirst();
    }

    public ObjectNode toJson() {
        ObjectNode n = Json.object();
        n.put("kind", kind.wireName());
        n.put("node", node);
        n.put("task_id", taskId);
        n.set("interrupts", interruptsJson());
        ArrayNode ids = n.putArray("call_ids");
        callIds.forEach(ids::add);
        ArrayNode r = n.putArray("resumed");
        resumed.forEach(v -> r.add(v.deepCopy()));
        ArrayNode c = n.putArray("completed");
        completed.forEach(v -> c.add(v.deepCopy()));
        return n;
    }

    /** The pause kept in {@code metadata}, if any. */
    public static Optional<Pause> in(ObjectNode metadata) {
        JsonNode n = metadata == null ? null : metadata.get(METADATA_KEY);
        if (n == null || !n.isObject()) {
            return Optional.empty();
        }
        List<Interrupt> interrupts = new ArrayList<>();
        n.path("interrupts").forEach(i -> interrupts.add(new Interrupt(i.path("id").asText(), i.get("value"))));
        List<JsonNode> resumed = new ArrayList<>();
        n.path("resumed").forEach(resumed::add);
        List<String> callIds = new ArrayList<>();
        n.path("call_ids").forEach(i -> callIds.add(i.asText()));
        List<ObjectNode> completed = new ArrayList<>();
        n.path("completed").forEach(c -> completed.add((ObjectNode) c));
        return Optional.of(new Pause(Kind.fromWire(n.path("kind").asText()), n.path("node").asText(),
                n.path("task_id").asText(), interrupts, callIds, resumed, completed));
    }
}

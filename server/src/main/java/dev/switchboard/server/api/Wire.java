package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.Pause;
import dev.switchboard.operation.Operation;
import dev.switchboard.run.Run;
import dev.switchboard.store.Item;
import dev.switchboard.thread.ConversationThread;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The Agent Protocol's JSON objects, built from the runtime's records (AGENT-PROTOCOL.md §2, §3.2, §4.3, §9). */
public final class Wire {
    private Wire() {
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    public static ObjectNode assistant(Assistant a) {
        ObjectNode n = Json.object();
        n.put("assistant_id", a.assistantId().toString());
        n.put("graph_id", a.graphId());
        n.set("config", a.config());
        n.set("context", a.context());
        n.put("created_at", time(a.createdAt()));
        n.put("updated_at", time(a.updatedAt()));
        n.set("metadata", a.metadata());
        n.put("version", a.version());
        n.put("name", a.name());
        if (a.description() == null) {
            n.putNull("description");
        } else {
            n.put("description", a.description());
        }
        return n;
    }

    /** A thread; {@code interrupts} holds the pending ones by task id when it waits for a person. */
    public static ObjectNode thread(ConversationThread t, java.util.Optional<Pause> pause) {
        ObjectNode n = thread(t);
        pause.ifPresent(p -> n.putObject("interrupts").set(p.taskId(), p.interruptsJson()));
        return n;
    }

    public static ObjectNode thread(ConversationThread t) {
        ObjectNode n = Json.object();
        n.put("thread_id", t.threadId().toString());
        n.put("created_at", time(t.createdAt()));
        n.put("updated_at", time(t.updatedAt()));
        n.set("metadata", t.metadata());
        n.put("status", t.status().wireName());
        n.set("config", t.config());
        if (t.values() == null) {
            n.putNull("values");
        } else {
            n.set("values", t.values());
        }
        n.set("interrupts", Json.object());
        return n;
    }

    public static ObjectNode run(Run r) {
        ObjectNode n = Json.object();
        n.put("run_id", r.runId().toString());
        n.put("thread_id", r.threadId().toString());
        n.put("assistant_id", r.assistantId().toString());
        n.put("created_at", time(r.createdAt()));
        n.put("updated_at", time(r.updatedAt()));
        n.put("status", r.status().wireName());
        n.set("metadata", r.metadata());
        ObjectNode kwargs = r.kwargs().deepCopy();
        // Which instance admitted the run is the engine's business (it picks who starts it), not the client's.
        kwargs.remove("origin_instance");
        n.set("kwargs", kwargs);
        n.put("multitask_strategy", r.multitaskStrategy().wireName());
        n.put("lane", r.lane().wireName());
        return n;
    }

    private static ObjectNode checkpointRef(UUID threadId, UUID checkpointId) {
        ObjectNode c = Json.object();
        c.put("thread_id", threadId.toString());
        c.put("checkpoint_ns", "");
        c.put("checkpoint_id", checkpointId.toString());
        c.set("checkpoint_map", Json.object());
        return c;
    }

    /** A {@code ThreadState}; {@code null} checkpoint gives the empty state of a thread that never ran. */
    public static ObjectNode state(UUID threadId, Checkpoint c) {
        ObjectNode n = Json.object();
        if (c == null) {
            n.set("values", Json.object());
            n.set("next", Json.array());
            n.set("tasks", Json.array());
            n.putNull("checkpoint");
            n.set("metadata", Json.object());
            n.putNull("created_at");
            n.putNull("parent_checkpoint");
            n.set("interrupts", Json.array());
            return n;
        }
        n.set("values", c.values());
        ArrayNode next = n.putArray("next");
        c.next().forEach(next::add);
        ArrayNode tasks = n.putArray("tasks");
        java.util.Optional<Pause> pause = c.pause();
        for (String node : c.next()) {
            ObjectNode task = tasks.addObject();
            boolean paused = pause.isPresent() && pause.get().node().equals(node);
            task.put("id", paused ? pause.get().taskId()
                    : UUID.nameUUIDFromBytes((c.checkpointId() + node).getBytes()).toString());
            task.put("name", node);
            task.putNull("error");
            task.set("interrupts", paused ? pause.get().interruptsJson() : Json.array());
            task.putArray("path").add("__pregel_pull").add(node);
            task.putNull("checkpoint");
            task.putNull("state");
            task.putNull("result");
        }
        n.set("checkpoint", checkpointRef(threadId, c.checkpointId()));
        ObjectNode metadata = c.metadata().deepCopy();
        // The pause is the engine's record; clients read it as tasks and interrupts.
        metadata.remove(Pause.METADATA_KEY);
        n.set("metadata", metadata);
        n.put("created_at", time(c.createdAt()));
        if (c.parentId() == null) {
            n.putNull("parent_checkpoint");
        } else {
            n.set("parent_checkpoint", checkpointRef(threadId, c.parentId()));
        }
        n.set("interrupts", pause.map(Pause::interruptsJson).orElse(Json.array()));
        return n;
    }

    public static ObjectNode checkpointOnly(UUID threadId, Checkpoint c) {
        ObjectNode n = Json.object();
        n.set("checkpoint", checkpointRef(threadId, c.checkpointId()));
        return n;
    }

    public static ObjectNode item(Item item, List<String> visibleNamespace) {
        ObjectNode n = Json.object();
        ArrayNode ns = n.putArray("namespace");
        visibleNamespace.forEach(ns::add);
        n.put("key", item.key());
        n.set("value", item.value());
        n.put("created_at", time(item.createdAt()));
        n.put("updated_at", time(item.updatedAt()));
        return n;
    }

    public static ObjectNode operation(Operation o) {
        ObjectNode n = Json.object();
        n.put("operation_id", o.operationId().toString());
        n.put("thread_id", o.threadId().toString());
        n.put("run_id", o.runId().toString());
        n.put("tool_call_id", o.toolCallId());
        n.put("tool", o.toolName());
        n.set("arguments", o.arguments());
        n.put("idempotency_key", o.idempotencyKey());
        n.put("status", o.status().wireName());
        n.put("percent", o.percent());
        n.put("message", o.message());
        putNullable(n, "result", o.result());
        putNullable(n, "error", o.error());
        n.put("cancel_requested", o.cancelRequested());
        n.put("reported", o.reported());
        n.put("created_at", time(o.createdAt()));
        n.put("updated_at", time(o.updatedAt()));
        return n;
    }

    private static void putNullable(ObjectNode n, String key, String value) {
        if (value == null) {
            n.putNull(key);
        } else {
            n.put(key, value);
        }
    }

    public static JsonNode nullNode() {
        return Json.mapper().nullNode();
    }
}

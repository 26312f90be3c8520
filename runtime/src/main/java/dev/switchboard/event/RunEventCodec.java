package dev.switchboard.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.UUID;

/**
 * A run event as one JSON object and back, lossless: how an event travels between instances (a join served by
 * another instance than the one executing the run).
 */
public final class RunEventCodec {
    private RunEventCodec() {
    }

    public static ObjectNode encode(RunEvent event) {
        ObjectNode n = Json.object();
        switch (event) {
            case RunEvent.Metadata m -> {
                n.put("k", "metadata");
                n.put("run_id", m.runId().toString());
                if (m.threadId() != null) {
                    n.put("thread_id", m.threadId().toString());
                }
                n.put("attempt", m.attempt());
            }
            case RunEvent.Values v -> n.put("k", "values").set("values", v.values());
            case RunEvent.Updates u -> {
                n.put("k", "updates");
                n.put("node", u.node());
                n.set("update", u.update());
            }
            case RunEvent.MessageChunk c -> {
                n.put("k", "chunk");
                n.set("chunk", c.chunk());
                n.set("metadata", c.metadata());
            }
            case RunEvent.MessageComplete c -> {
                n.put("k", "complete");
                n.set("message", c.message());
                n.set("metadata", c.metadata());
            }
            case RunEvent.Custom c -> n.put("k", "custom").set("payload", c.payload());
            case RunEvent.Notice c -> n.put("k", "custom").set("payload", c.payload());
            case RunEvent.Error e -> {
                n.put("k", "error");
                n.put("error", e.error());
                n.put("message", e.message());
            }
            case RunEvent.End e -> n.put("k", "end");
        }
        return n;
    }

    public static RunEvent decode(JsonNode n) {
        return switch (n.path("k").asText()) {
            case "metadata" -> new RunEvent.Metadata(UUID.fromString(n.path("run_id").asText()),
                    n.hasNonNull("thread_id") ? UUID.fromString(n.path("thread_id").asText()) : null,
                    n.path("attempt").asInt(1));
            case "values" -> new RunEvent.Values((ObjectNode) n.get("values"));
            case "updates" -> new RunEvent.Updates(n.path("node").asText(), n.get("update"));
            case "chunk" -> new RunEvent.MessageChunk((ObjectNode) n.get("chunk"), (ObjectNode) n.get("metadata"));
            case "complete" -> new RunEvent.MessageComplete((ObjectNode) n.get("message"), (ObjectNode) n.get("metadata"));
            case "custom" -> RunEvent.Notice.parse(n.get("payload"));
            case "error" -> new RunEvent.Error(n.path("error").asText(), n.path("message").asText());
            case "end" -> new RunEvent.End();
            default -> throw new IllegalArgumentException("unknown run event kind " + n.path("k").asText());
        };
    }
}

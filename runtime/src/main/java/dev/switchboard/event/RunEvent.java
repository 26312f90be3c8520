package dev.switchboard.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;

import java.util.Objects;
import java.util.UUID;

/**
 * One event of a run's stream. JSON parts are deep-copied on construction, because an event is
 * retained and replayed long after the publisher may have changed its own state objects.
 */
public sealed interface RunEvent {

    /** The SSE {@code event:} name. Token chunks and complete messages are both {@code messages} on the wire. */
    default String wireName() {
        return switch (this) {
            case Metadata m -> "metadata";
            case Values v -> "values";
            case Updates u -> "updates";
            case MessageChunk c -> "messages";
            case MessageComplete c -> "messages";
            case Custom c -> "custom";
            case Error e -> "error";
            case End e -> "end";
        };
    }

    /**
     * The SSE {@code data:} payload (AGENT-PROTOCOL.md §8.1–8.2). Shares nodes with this event, so it is
     * meant to be serialised, not changed.
     */
    default JsonNode data() {
        return switch (this) {
            case Metadata m -> {
                ObjectNode o = Json.object().put("run_id", m.runId().toString());
                if (m.threadId() != null) {
                    o.put("thread_id", m.threadId().toString());
                }
                yield o.put("attempt", m.attempt());
            }
            case Values v -> v.values();
            case Updates u -> {
                ObjectNode o = Json.object();
                o.set(u.node(), u.update());
                yield o;
            }
            case MessageChunk c -> Json.array().add(c.chunk()).add(c.metadata());
            case MessageComplete c -> Json.array().add(c.message()).add(c.metadata());
            case Custom c -> c.payload();
            case Error e -> Json.object().put("error", e.error()).put("message", e.message());
            case End e -> NullNode.getInstance();
        };
    }

    /** First event of every run. {@code threadId} is null only for a run without a thread. */
    record Metadata(UUID runId, UUID threadId, int attempt) implements RunEvent {
        public Metadata {
            Objects.requireNonNull(runId, "runId");
        }
    }

    /** Full state after a step. */
    record Values(ObjectNode values) implements RunEvent {
        public Values {
            values = Json.copyObject(values);
        }
    }

    /** What one node's step changed: {@code {node: update}} on the wire. */
    record Updates(String node, ObjectNode update) implements RunEvent {
        public Updates {
            Objects.requireNonNull(node, "node");
            update = Json.copyObject(update);
        }
    }

    /** One model token: a serialised {@code AIMessageChunk} plus run/node metadata ({@code messages-tuple}). */
    record MessageChunk(ObjectNode chunk, ObjectNode metadata) implements RunEvent {
        public MessageChunk {
            chunk = Json.copyObject(chunk);
            metadata = Json.copyObject(metadata);
        }
    }

    /** A finished message plus run/node metadata. */
    record MessageComplete(ObjectNode message, ObjectNode metadata) implements RunEvent {
        public MessageComplete {
            message = Json.copyObject(message);
            metadata = Json.copyObject(metadata);
        }
    }

    /** Whatever a node wrote to its stream writer: operation progress, lane events. */
    record Custom(JsonNode payload) implements RunEvent {
        public Custom {
            payload = payload == null ? NullNode.getInstance() : payload.deepCopy();
        }
    }

    /** The run failed: {@code error} is the exception's class name, as the JS server sends it. */
    record Error(String error, String message) implements RunEvent {
        public Error {
            Objects.requireNonNull(error, "error");
            // Exceptions often have no message; the wire field is still a string.
            message = message == null ? "" : message;
        }

        public static Error of(Throwable failure) {
            return new Error(failure.getClass().getSimpleName(), failure.getMessage());
        }
    }

    /** The last event of every run; {@link EventLog#close()} publishes it. */
    record End() implements RunEvent {
    }
}

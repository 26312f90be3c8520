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
            case Notice n -> "custom";
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
            case Notice n -> n.payload();
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

    /**
     * Full state after a step. Kept as its JSON text, not a tree: a retained log holds several of these per run
     * (a tree of a long conversation's state is several times its text), and the text is what every SSE
     * subscriber writes, encoded once here instead of once per subscriber. {@link #values()} parses a fresh copy.
     */
    final class Values implements RunEvent {
        private final String json;

        public Values(ObjectNode values) {
            this.json = Json.write(Json.copyObject(values));
        }

        /** The state, parsed anew on each call (the caller may change it). */
        public ObjectNode values() {
            return (ObjectNode) Json.parse(json);
        }

        /** The state as JSON text: the SSE {@code data:} of a {@code values} event. */
        public String json() {
            return json;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Values v && v.json.equals(json);
        }

        @Override
        public int hashCode() {
            return json.hashCode();
        }

        @Override
        public String toString() {
            return "Values[" + json + "]";
        }
    }

    /**
     * One node's update ({@code {node: update}}); LangGraph's pause is the node {@code __interrupt__} with the list
     * of pending interrupts as its update.
     */
    record Updates(String node, JsonNode update) implements RunEvent {
        public Updates {
            Objects.requireNonNull(node, "node");
            update = update == null ? Json.object() : update.deepCopy();
        }
    }

    /**
     * One model token: a serialised {@code AIMessageChunk} plus run/node metadata ({@code messages-tuple}). A run
     * streams hundreds of these and a retained log keeps them after the run, so each holds only its token text:
     * the rest of its chunk's JSON (everything after {@code content}: the message id, the empty fields) is one
     * string shared by the text chunks of its message, and the step's metadata one string shared by the step's
     * chunks ({@link #sharing}). The wire text is put together when a subscriber writes it.
     */
    final class MessageChunk implements RunEvent {
        private static final String HEAD = "{\"content\":";
        /** The token text when the chunk's JSON starts with a textual {@code content}; otherwise null. */
        private final String content;
        /** The chunk's JSON after the content value (with {@code content}), or all of it (without). */
        private final String rest;
        private final String metadataJson;

        public MessageChunk(ObjectNode chunk, ObjectNode metadata) {
            this(Json.copyObject(chunk), null, Json.write(Json.copyObject(metadata)));
        }

        private MessageChunk(ObjectNode chunk, String sharedRest, String metadataJson) {
            JsonNode first = chunk.size() == 0 ? null : chunk.elements().next();
            boolean textFirst = first != null && first.isTextual() && chunk.fieldNames().next().equals("content");
            String restJson;
            if (textFirst) {
                this.content = first.asText();
                ObjectNode others = chunk.deepCopy();
                others.remove("content");
                String inner = Json.write(others);
                restJson = inner.equals("{}") ? "}" : "," + inner.substring(1);
            } else {
                this.content = null;
                restJson = Json.write(chunk);
            }
            this.rest = restJson.equals(sharedRest) ? sharedRest : restJson;
            this.metadataJson = metadataJson;
        }

        /**
         * Makes the chunks of one step, all sharing {@code metadata} (read once, now) and, while consecutive chunks
         * differ only in their text, the rest of their JSON. For the step's one publisher (not thread-safe).
         */
        public static java.util.function.Function<ObjectNode, MessageChunk> sharing(ObjectNode metadata) {
            String shared = Json.write(Json.copyObject(metadata));
            return new java.util.function.Function<>() {
                private String lastRest;

                @Override
                public MessageChunk apply(ObjectNode chunk) {
                    MessageChunk made = new MessageChunk(Json.copyObject(chunk), lastRest, shared);
                    lastRest = made.rest;
                    return made;
                }
            };
        }

        /** The chunk, parsed anew on each call. */
        public ObjectNode chunk() {
            return (ObjectNode) Json.parse(chunkJson());
        }

        /** The metadata, parsed anew on each call. */
        public ObjectNode metadata() {
            return (ObjectNode) Json.parse(metadataJson);
        }

        private String chunkJson() {
            return content == null ? rest : HEAD + Json.write(com.fasterxml.jackson.databind.node.TextNode
                    .valueOf(content)) + rest;
        }

        /** {@code [chunk, metadata]} as JSON text: the SSE {@code data:} of a {@code messages} tuple. */
        public String tupleJson() {
            return "[" + chunkJson() + "," + metadataJson + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof MessageChunk c && c.chunkJson().equals(chunkJson())
                    && c.metadataJson.equals(metadataJson);
        }

        @Override
        public int hashCode() {
            return chunkJson().hashCode() * 31 + metadataJson.hashCode();
        }

        @Override
        public String toString() {
            return "MessageChunk[" + chunkJson() + ", " + metadataJson + "]";
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

    /**
     * What the engine itself says about a run or its operation. Typed for the engine, the server and the clients in
     * this process, which switch on these records; on the wire each is a {@code custom} event whose payload's
     * {@code type} names it ({@link #payload()}), and {@link #parse} reads one back (events relayed between
     * instances).
     */
    sealed interface Notice extends RunEvent {
        /** The {@code custom} payload on the wire. */
        ObjectNode payload();

        /** The notice a {@code custom} payload carries, or a plain {@link Custom} for anything else. */
        static RunEvent parse(JsonNode payload) {
            if (payload == null || !payload.isObject()) {
                return new Custom(payload);
            }
            String type = payload.path("type").asText("");
            UUID run = payload.hasNonNull("run_id") ? parseId(payload.path("run_id").asText()) : null;
            return switch (type) {
                case "run_cancelled" -> run == null ? new Custom(payload) : new RunCancelled(run,
                        payload.path("action").asText("interrupt"), payload.path("status").asText().equals("rolled_back"),
                        payload.hasNonNull("superseded_by") ? parseId(payload.path("superseded_by").asText()) : null);
                case "run_interrupted" -> run == null ? new Custom(payload) : new RunRecovered(run);
                case "run_lease_lost" -> run == null ? new Custom(payload) : new LeaseLost(run);
                case "tool_progress" -> new ToolProgress(payload.path("tool").asText(),
                        payload.path("tool_call_id").asText(), payload.path("percent").asInt(),
                        payload.path("message").asText(""));
                default -> {
                    for (OperationUpdate.Phase phase : OperationUpdate.Phase.values()) {
                        if (phase.wireName().equals(type)) {
                            ObjectNode operation = ((ObjectNode) payload).deepCopy();
                            operation.remove("type");
                            yield new OperationUpdate(phase, operation);
                        }
                    }
                    yield new Custom(payload);
                }
            };
        }

        private static UUID parseId(String text) {
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** The run was cancelled (interrupted, or rolled back and deleted), possibly by the run that replaced it. */
    record RunCancelled(UUID runId, String action, boolean rolledBack, UUID supersededBy) implements Notice {
        public RunCancelled {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(action, "action");
        }

        @Override
        public ObjectNode payload() {
            ObjectNode why = Json.object();
            why.put("type", "run_cancelled");
            why.put("run_id", runId.toString());
            why.put("action", action);
            why.put("status", rolledBack ? "rolled_back" : "interrupted");
            if (supersededBy != null) {
                why.put("superseded_by", supersededBy.toString());
                why.put("reason", "a newer message on this thread replaced this run (" + action + ")");
            } else {
                why.put("reason", "the run was cancelled (" + action + ")");
            }
            return why;
        }
    }

    /** The instance executing the run stopped; another recovered the run and ended it interrupted. */
    record RunRecovered(UUID runId) implements Notice {
        public RunRecovered {
            Objects.requireNonNull(runId, "runId");
        }

        @Override
        public ObjectNode payload() {
            ObjectNode why = Json.object();
            why.put("type", "run_interrupted");
            why.put("run_id", runId.toString());
            why.put("status", "interrupted");
            why.put("reason", "the server instance executing this run stopped; it was recovered by another");
            return why;
        }
    }

    /** This instance lost the run's lease; another instance recovered the run and ends it. */
    record LeaseLost(UUID runId) implements Notice {
        public LeaseLost {
            Objects.requireNonNull(runId, "runId");
        }

        @Override
        public ObjectNode payload() {
            ObjectNode why = Json.object();
            why.put("type", "run_lease_lost");
            why.put("run_id", runId.toString());
            why.put("reason", "this server instance lost the run's lease; another instance recovered the run");
            return why;
        }
    }

    /** An operation of the run started, progressed or ended; {@code operation} is its public description. */
    record OperationUpdate(Phase phase, ObjectNode operation) implements Notice {
        /** Where the operation is. */
        public enum Phase {
            STARTED("operation_started"), PROGRESS("operation_progress"), ENDED("operation_ended");

            private final String wireName;

            Phase(String wireName) {
                this.wireName = wireName;
            }

            public String wireName() {
                return wireName;
            }
        }

        public OperationUpdate {
            Objects.requireNonNull(phase, "phase");
            operation = Json.copyObject(operation);
        }

        @Override
        public ObjectNode payload() {
            ObjectNode event = operation.deepCopy();
            event.put("type", phase.wireName());
            return event;
        }
    }

    /** A quick tool's progress, as it reported it through its {@code ToolContext}. */
    record ToolProgress(String tool, String toolCallId, int percent, String message) implements Notice {
        @Override
        public ObjectNode payload() {
            ObjectNode progress = Json.object();
            progress.put("type", "tool_progress");
            progress.put("tool", tool);
            progress.put("tool_call_id", toolCallId);
            progress.put("percent", percent);
            progress.put("message", message);
            return progress;
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

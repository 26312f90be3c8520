package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageType;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ConversationThread;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * A2A (Agent2Agent) for each assistant, as the LangGraph Agent Server documents it: the agent card at
 * {@code GET /.well-known/agent-card.json?assistant_id=…} (and {@code GET /a2a/{assistant_id}}), and JSON-RPC 2.0 at
 * {@code POST /a2a/{assistant_id}} with {@code message/send}, {@code message/stream} and {@code tasks/get}. A message's {@code contextId}
 * is a thread id (a new thread, owned by the caller, when absent); a task is a run. Text parts become the human
 * message; data parts are added as their JSON. Sign-in applies as everywhere: another user's context or task is
 * "not found".
 *
 * <p>Protocol errors are JSON-RPC error objects (HTTP 200), as A2A clients expect, each with the Switchboard
 * {@code code} in {@code error.data.code}; a missing or wrong credential is still the server's 401.
 *
 * <p>Why this class is just over ~400 lines: it is the whole protocol binding (card, envelope, three methods, the
 * Task and event shapes) in one reading order; split, each half would only make sense beside the other.
 */
public final class A2aApi {
    static final String PROTOCOL_VERSION = "0.3.0";
    private static final Duration SEND_LIMIT = Duration.ofMinutes(10);

    private final Api api;

    public A2aApi(Api api) {
        this.api = api;
    }

    public void register(RoutesConfig r) {
        r.get("/.well-known/agent-card.json", ctx -> {
            String id = ctx.queryParam("assistant_id");
            if (id == null || id.isBlank()) {
                throw new SwitchboardException.InvalidRequest("missing_field", "assistant_id query parameter is required");
            }
            ctx.json(card(ctx, api.switchboard().assistant(id)));
        });
        r.get("/a2a/{assistant_id}", ctx -> ctx.json(card(ctx, api.switchboard().assistant(ctx.pathParam("assistant_id")))));
        r.get("/a2a/{assistant_id}/.well-known/agent-card.json",
                ctx -> ctx.json(card(ctx, api.switchboard().assistant(ctx.pathParam("assistant_id")))));
        r.post("/a2a/{assistant_id}", this::rpc);
    }

    private ObjectNode card(Context ctx, Assistant a) {
        ObjectNode card = Json.object();
        card.put("protocolVersion", PROTOCOL_VERSION);
        card.put("name", a.name());
        card.put("description", a.description() != null ? a.description() : "Switchboard assistant " + a.name()
                + " (graph " + a.graphId() + ")");
        String base = ctx.scheme() + "://" + ctx.host();
        card.put("url", base + "/a2a/" + a.assistantId());
        card.put("preferredTransport", "JSONRPC");
        card.put("version", a.version() + "");
        ObjectNode caps = card.putObject("capabilities");
        caps.put("streaming", true);
        caps.put("pushNotifications", false);
        caps.put("stateTransitionHistory", false);
        card.putArray("defaultInputModes").add("text/plain").add("application/json");
        card.putArray("defaultOutputModes").add("text/plain");
        ObjectNode skill = card.putArray("skills").addObject();
        skill.put("id", a.graphId());
        skill.put("name", a.name());
        skill.put("description", card.get("description").asText());
        skill.putArray("tags").add(a.graphId());
        if (api.settings().authEnabled()) {
            ObjectNode schemes = card.putObject("securitySchemes");
            schemes.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", "x-api-key");
            schemes.putObject("bearer").put("type", "http").put("scheme", "bearer");
            ArrayNode security = card.putArray("security");
            security.addObject().putArray("apiKey");
            security.addObject().putArray("bearer");
        }
        return card;
    }

    // ---- JSON-RPC ----------------------------------------------------------------------------------

    /** A JSON-RPC error: its A2A code and the Switchboard code that says what to fix. */
    private static final class RpcError extends RuntimeException {
        final int rpcCode;
        final String code;

        RpcError(int rpcCode, String code, String message) {
            super(message);
            this.rpcCode = rpcCode;
            this.code = code;
        }
    }

    private void rpc(Context ctx) throws InterruptedException {
        JsonNode id = null;
        try {
            JsonNode request;
            try {
                request = Json.parse(ctx.body());
            } catch (RuntimeException e) {
                throw new RpcError(-32700, "malformed_json", "the body is not JSON");
            }
            if (!request.isObject() || !"2.0".equals(request.path("jsonrpc").asText())
                    || !request.path("method").isTextual()) {
                throw new RpcError(-32600, "invalid_request", "a JSON-RPC 2.0 request object with jsonrpc \"2.0\" "
                        + "and a method is required");
            }
            id = request.get("id");
            Assistant assistant;
            try {
                assistant = api.switchboard().assistant(ctx.pathParam("assistant_id"));
            } catch (SwitchboardException.NotFound e) {
                throw new RpcError(-32602, "not_found", e.getMessage());
            }
            JsonNode params = request.path("params");
            ObjectNode result = switch (request.get("method").asText()) {
                case "message/send" -> send(ctx, assistant, params);
                case "tasks/get" -> get(ctx, params);
                case "message/stream" -> {
                    Run run = start(ctx, assistant, params);
                    stream(ctx, id, run);
                    yield null;
                }
                case "tasks/cancel" -> throw new RpcError(-32002, "unsupported", "tasks/cancel is not supported");
                default -> throw new RpcError(-32601, "method_not_found", "unknown method '"
                        + request.get("method").asText() + "'; supported: message/send, message/stream, tasks/get");
            };
            if (result != null) {
                ObjectNode response = envelope(id);
                response.set("result", result);
                ctx.json(response);
            }
        } catch (RpcError e) {
            ctx.json(error(id, e.rpcCode, e.code, e.getMessage()));
        } catch (SwitchboardException e) {
            int rpcCode = e instanceof SwitchboardException.InvalidRequest ? -32602
                    : e instanceof SwitchboardException.NotFound ? -32001 : -32603;
            ctx.json(error(id, rpcCode, e.code(), e.getMessage()));
        }
    }

    private static ObjectNode envelope(JsonNode id) {
        ObjectNode n = Json.object();
        n.put("jsonrpc", "2.0");
        n.set("id", id == null ? Json.mapper().nullNode() : id);
        return n;
    }

    private static ObjectNode error(JsonNode id, int rpcCode, String code, String message) {
        ObjectNode n = envelope(id);
        ObjectNode err = n.putObject("error");
        err.put("code", rpcCode);
        err.put("message", message);
        err.putObject("data").put("code", code);
        return n;
    }

    private ObjectNode send(Context ctx, Assistant assistant, JsonNode params) throws InterruptedException {
        Run run = start(ctx, assistant, params);
        try {
            Optional<Run> ended = api.switchboard().await(run.runId(), SEND_LIMIT);
            return task(ended.orElse(run), ended.isEmpty());
        } catch (TimeoutException stillRunning) {
            return task(api.switchboard().findRun(run.runId()).orElse(run), false);
        }
    }

    /**
     * {@code message/stream}: Server-Sent Events, each a JSON-RPC response whose result is the Task (submitted),
     * then a status update (working), the answer as artifact updates (one per model token, appended), and a final
     * status update. A client that leaves stops the stream, not the run.
     */
    private void stream(Context ctx, JsonNode id, Run run) throws InterruptedException {
        ctx.status(200).contentType("text/event-stream");
        ctx.header("Cache-Control", "no-cache");
        String taskId = run.runId().toString();
        String contextId = run.threadId().toString();
        String artifactId = Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "a2a:" + run.runId()).toString();
        try (dev.switchboard.event.Subscription sub = api.switchboard().subscribe(run.runId(), -1)) {
            ObjectNode submitted = task(run, false);
            ((ObjectNode) submitted.get("status")).put("state", "submitted");
            if (!write(ctx, id, submitted) || !write(ctx, id, statusUpdate(taskId, contextId, "working", false))) {
                return;
            }
            boolean streamed = false;
            while (!sub.isFinished()) {
                Optional<dev.switchboard.event.SequencedEvent> next = sub.next(SEND_LIMIT);
                if (next.isEmpty()) {
                    break;
                }
                if (next.get().event() instanceof dev.switchboard.event.RunEvent.MessageChunk chunk
                        && chunk.chunk().path("content").isTextual() && !chunk.chunk().path("content").asText().isEmpty()
                        && !"secondary".equals(chunk.metadata().path("lane").asText())) {
                    if (!write(ctx, id, artifactUpdate(taskId, contextId, artifactId,
                            chunk.chunk().get("content").asText(), streamed, false))) {
                        return;
                    }
                    streamed = true;
                }
            }
            // The stream's end is published before the run's end is recorded: wait for the record.
            Optional<Run> recorded;
            try {
                recorded = api.switchboard().await(run.runId(), Duration.ofSeconds(30));
            } catch (TimeoutException e) {
                recorded = api.switchboard().findRun(run.runId());
            }
            if (recorded.isEmpty()) {
                write(ctx, id, statusUpdate(taskId, contextId, "canceled", true));
                return;
            }
            Run ended = recorded.get();
            if (!streamed && ended.status() == RunStatus.SUCCESS) {
                Optional<String> answer = answer(ended.threadId());
                if (answer.isPresent() && !write(ctx, id, artifactUpdate(taskId, contextId, artifactId, answer.get(),
                        false, true))) {
                    return;
                }
            }
            write(ctx, id, statusUpdate(taskId, contextId, ended.status().isTerminal() ? state(ended.status())
                    : "working", true));
        }
    }

    private static ObjectNode statusUpdate(String taskId, String contextId, String state, boolean last) {
        ObjectNode n = Json.object();
        n.put("kind", "status-update");
        n.put("taskId", taskId);
        n.put("contextId", contextId);
        n.putObject("status").put("state", state);
        n.put("final", last);
        return n;
    }

    private static ObjectNode artifactUpdate(String taskId, String contextId, String artifactId, String text,
            boolean append, boolean lastChunk) {
        ObjectNode n = Json.object();
        n.put("kind", "artifact-update");
        n.put("taskId", taskId);
        n.put("contextId", contextId);
        ObjectNode artifact = n.putObject("artifact");
        artifact.put("artifactId", artifactId);
        artifact.put("name", "Assistant Response");
        artifact.putArray("parts").addObject().put("kind", "text").put("text", text);
        n.put("append", append);
        n.put("lastChunk", lastChunk);
        return n;
    }

    /** One SSE event; false when the client has gone. */
    private static boolean write(Context ctx, JsonNode id, ObjectNode result) {
        ObjectNode envelope = envelope(id);
        envelope.set("result", result);
        try {
            var out = ctx.res().getOutputStream();
            out.write(("data: " + Json.write(envelope) + "\n\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    /** Validates the message, resolves its context and submits its run. */
    private Run start(Context ctx, Assistant assistant, JsonNode params) {
        JsonNode message = params.path("message");
        if (!message.isObject() || !message.path("parts").isArray() || message.path("parts").isEmpty()) {
            throw new RpcError(-32602, "invalid_params", "params.message with at least one part is required");
        }
        if (!"user".equals(message.path("role").asText("user"))) {
            throw new RpcError(-32602, "invalid_params", "message.role must be user");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : message.get("parts")) {
            String kind = part.path("kind").asText(part.path("type").asText());
            switch (kind) {
                case "text" -> append(text, part.path("text").asText());
                case "data" -> append(text, Json.write(part.path("data")));
                default -> throw new RpcError(-32005, "unsupported", "only text and data parts are supported, got '"
                        + kind + "'");
            }
        }
        if (text.toString().isBlank()) {
            throw new RpcError(-32602, "invalid_params", "the message has no text");
        }
        Caller caller = Api.caller(ctx);
        ConversationThread thread = context(ctx, caller, message.path("contextId"));
        ObjectNode config = Json.object();
        ObjectNode configurable = config.putObject("configurable");
        Accounts.apply(configurable, Accounts.resolve(caller, thread, configurable, null));
        if (!caller.isAnonymous()) {
            String owner = thread.owner() != null ? thread.owner() : caller.user();
            ArrayNode ns = configurable.putArray("namespace_for_memory");
            Caller.ownedNamespace(owner, CoordinationKeys.defaultNamespace(thread.threadId())).forEach(ns::add);
        }
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text.toString());
        ObjectNode metadata = Json.object().put("a2a_message_id", message.path("messageId").asText(""));
        return api.switchboard().submit(new RunRequest(thread.threadId(), assistant.assistantId().toString(), input,
                config, metadata, MultitaskStrategy.ENQUEUE, null, null, null, false, null));
    }

    private static void append(StringBuilder text, String part) {
        if (!text.isEmpty()) {
            text.append('\n');
        }
        text.append(part);
    }

    /** The thread a contextId names, if the caller may use it; a new thread of the caller's when absent. */
    private ConversationThread context(Context ctx, Caller caller, JsonNode contextId) {
        if (contextId == null || contextId.isMissingNode() || contextId.isNull()) {
            ObjectNode metadata = Json.object();
            if (!caller.isAnonymous()) {
                metadata.put("owner", caller.user());
            }
            metadata.put("a2a", true);
            return api.switchboard().createThread(null, metadata, false);
        }
        UUID threadId;
        try {
            threadId = Ids.parse("contextId", contextId.asText());
        } catch (SwitchboardException e) {
            throw new RpcError(-32602, "invalid_params", "contextId must be a context (thread) id this server gave");
        }
        return api.thread(ctx, threadId);
    }

    private ObjectNode get(Context ctx, JsonNode params) {
        String raw = params.path("id").asText("");
        UUID runId;
        try {
            runId = Ids.parse("id", raw);
        } catch (SwitchboardException e) {
            throw new RpcError(-32001, "not_found", "task '" + raw + "' not found");
        }
        Run run = api.switchboard().findRun(runId).orElseThrow(() -> new RpcError(-32001, "not_found",
                "task " + runId + " not found"));
        try {
            api.thread(ctx, run.threadId());
        } catch (SwitchboardException.NotFound e) {
            throw new RpcError(-32001, "not_found", "task " + runId + " not found");
        }
        return task(run, false);
    }

    /** A run as an A2A Task: its state, and once it succeeded, the thread's last answer as the artifact. */
    private ObjectNode task(Run run, boolean rolledBack) {
        ObjectNode task = Json.object();
        task.put("kind", "task");
        task.put("id", run.runId().toString());
        task.put("contextId", run.threadId().toString());
        ObjectNode status = task.putObject("status");
        status.put("state", rolledBack ? "canceled" : state(run.status()));
        status.put("timestamp", Wire.time(run.updatedAt()));
        if (run.status() == RunStatus.SUCCESS) {
            answer(run.threadId()).ifPresent(answer -> {
                ObjectNode artifact = task.putArray("artifacts").addObject();
                artifact.put("artifactId", Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "a2a:" + run.runId()).toString());
                artifact.put("name", "Assistant Response");
                artifact.putArray("parts").addObject().put("kind", "text").put("text", answer);
            });
        }
        return task;
    }

    private static String state(RunStatus status) {
        return switch (status) {
            case PENDING -> "submitted";
            case RUNNING -> "working";
            case SUCCESS -> "completed";
            case ERROR, TIMEOUT -> "failed";
            case INTERRUPTED -> "canceled";
        };
    }

    private Optional<String> answer(UUID threadId) {
        try {
            List<Message> messages = api.switchboard().state(threadId, null)
                    .map(c -> ConversationState.fromJson(c.values()).messages()).orElse(List.of());
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i).type() == MessageType.AI && !messages.get(i).content().isBlank()) {
                    return Optional.of(messages.get(i).content());
                }
            }
        } catch (SwitchboardException.NotFound gone) {
            // the thread was deleted since: no artifact
        }
        return Optional.empty();
    }
}

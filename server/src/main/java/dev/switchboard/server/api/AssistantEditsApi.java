package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.agent.RunProfile;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Assistants a caller makes and changes, as the LangGraph Agent Server has them: {@code POST /assistants},
 * {@code PATCH /assistants/{id}} (a new version), {@code POST /assistants/{id}/versions}, {@code POST
 * /assistants/{id}/latest} and {@code DELETE /assistants/{id}} (with {@code delete_threads}).
 *
 * <p>A created assistant is its creator's ({@code metadata.owner}, as a thread's): another user gets 404 for it
 * everywhere, an admin sees all. The built-in assistants (one per served agent, id uuidv5 of its graph id) follow
 * the manifest, which a restart re-applies, so they are not edited here: PATCH, latest and DELETE on one answer
 * 409 {@code builtin_assistant}; make an assistant of the same graph instead. Every config is checked against its
 * agent before anything is stored ({@link RunProfile}: {@code system_prompt}, {@code tools}).
 */
final class AssistantEditsApi {
    private static final Set<String> CREATE_FIELDS = Set.of("assistant_id", "graph_id", "config", "context",
            "metadata", "if_exists", "name", "description");
    private static final Set<String> PATCH_FIELDS = Set.of("graph_id", "config", "context", "metadata", "name",
            "description");
    private static final Set<String> CONFIG_FIELDS = Set.of("configurable", "tags", "recursion_limit",
            "interrupt_before", "interrupt_after");

    private final Api api;

    AssistantEditsApi(Api api) {
        this.api = api;
    }

    void register(RoutesConfig r) {
        r.post("/assistants", this::create);
        r.patch("/assistants/{assistant_id}", this::patch);
        r.delete("/assistants/{assistant_id}", this::delete);
        r.post("/assistants/{assistant_id}/versions", this::versions);
        r.post("/assistants/{assistant_id}/latest", this::latest);
    }

    private void create(Context ctx) {
        Body body = Api.body(ctx).allowOnly(CREATE_FIELDS);
        String graphId = body.requiredString("graph_id");
        AgentGraph graph = servedGraph(graphId);
        UUID id = body.uuid("assistant_id");
        String ifExists = body.oneOf("if_exists", "raise", Set.of("raise", "do_nothing"));
        ObjectNode config = config(body, graph);
        ObjectNode context = body.object("context");
        ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
        Caller caller = Api.caller(ctx);
        metadata.remove("owner");
        if (!caller.isAnonymous()) {
            metadata.put("owner", caller.user());
        }
        String name = body.string("name", "Untitled");
        String description = body.string("description", null);
        if (id != null) {
            var existing = api.switchboard().assistants().get(id);
            if (existing.isPresent()) {
                // Someone else's assistant is answered as a free id would be refused: never confirm it exists.
                if (!caller.mayUse(existing.get())) {
                    throw new SwitchboardException.NotFound("Assistant '" + id + "' not found");
                }
                if ("do_nothing".equals(ifExists)) {
                    ctx.json(Wire.assistant(existing.get()));
                    return;
                }
                throw new SwitchboardException.Conflict("assistant_exists", "Assistant " + id + " already exists");
            }
        }
        Instant now = Instant.now();
        Assistant created = api.switchboard().assistants().create(new Assistant(id == null ? Ids.newId() : id,
                graphId, config, context, metadata, 1, name, description, now, now));
        ctx.json(Wire.assistant(created));
    }

    private void patch(Context ctx) {
        Assistant live = editable(ctx);
        Body body = Api.body(ctx).allowOnly(PATCH_FIELDS);
        String graphId = body.string("graph_id", live.graphId());
        AgentGraph graph = servedGraph(graphId);
        // As the Agent Server does: config and context are replaced when given, metadata is merged.
        ObjectNode config = body.has("config") ? config(body, graph) : live.config();
        if (!body.has("config")) {
            profile(config, graph); // a graph change must still suit the kept config
        }
        ObjectNode context = body.has("context") ? body.object("context") : live.context();
        ObjectNode metadata = live.metadata();
        if (body.object("metadata") != null) {
            ObjectNode more = body.object("metadata").deepCopy();
            more.remove("owner");
            metadata.setAll(more);
        }
        int next = api.switchboard().assistants().versions(live.assistantId(), null, 1, 0).stream()
                .mapToInt(Assistant::version).max().orElse(live.version()) + 1;
        Assistant updated = new Assistant(live.assistantId(), graphId, config, context, metadata, next,
                body.string("name", live.name()), body.has("description") ? body.string("description", null)
                        : live.description(), live.createdAt(), Instant.now());
        ctx.json(Wire.assistant(api.switchboard().assistants().update(updated)));
    }

    private void versions(Context ctx) {
        Assistant a = api.assistant(ctx, ctx.pathParam("assistant_id"));
        Body body = Api.body(ctx).allowOnly(Set.of("limit", "offset", "metadata"));
        List<Assistant> versions = api.switchboard().assistants().versions(a.assistantId(), body.object("metadata"),
                body.integer("limit", 10, 1, 1000), body.integer("offset", 0, 0, Integer.MAX_VALUE));
        ArrayNode out = Json.array();
        for (Assistant v : versions) {
            ObjectNode n = Wire.assistant(v);
            // A version's created_at is when that version was made; it has no updated_at.
            n.set("created_at", n.get("updated_at"));
            n.remove("updated_at");
            out.add(n);
        }
        ctx.json(out);
    }

    private void latest(Context ctx) {
        Assistant live = editable(ctx);
        String raw = ctx.queryParam("version");
        int version;
        if (raw != null) {
            try {
                version = Integer.parseInt(raw.strip());
            } catch (NumberFormatException e) {
                throw new InvalidRequest("invalid_field", "version must be a whole number of at least 1");
            }
            if (version < 1) {
                throw new InvalidRequest("invalid_field", "version must be a whole number of at least 1");
            }
        } else {
            Body body = Api.body(ctx).allowOnly(Set.of("version"));
            if (!body.has("version")) {
                throw new InvalidRequest("missing_field", "version is required (in the body or the query)");
            }
            version = body.integer("version", 1, 1, Integer.MAX_VALUE);
        }
        Assistant chosen = api.switchboard().assistants().versions(live.assistantId(), null, 1000, 0).stream()
                .filter(v -> v.version() == version).findFirst().orElseThrow(() -> new SwitchboardException.NotFound(
                        "Assistant " + live.assistantId() + " has no version " + version));
        servedGraph(chosen.graphId());
        ctx.json(Wire.assistant(api.switchboard().assistants().setLatest(live.assistantId(), version)));
    }

    private void delete(Context ctx) throws InterruptedException {
        Assistant a = editable(ctx);
        String raw = ctx.queryParam("delete_threads");
        if (raw != null && !Set.of("true", "false").contains(raw)) {
            throw new InvalidRequest("invalid_field", "delete_threads must be true or false");
        }
        List<UUID> threads = new ArrayList<>();
        if ("true".equals(raw)) {
            Caller caller = Api.caller(ctx);
            ObjectNode filter = Json.object().put("assistant_id", a.assistantId().toString());
            String owner = caller.isAnonymous() || caller.isAdmin() ? null : caller.user();
            for (ConversationThread t : api.switchboard().searchThreads(new ThreadQuery(filter, null, null, null,
                    1000, 0, ThreadQuery.SortBy.CREATED_AT, true, owner))) {
                threads.add(t.threadId());
            }
            // All or nothing: a thread that is busy or has an operation in flight refuses the whole delete.
            for (UUID id : threads) {
                ConversationThread t = api.switchboard().thread(id);
                if (t.status() == ThreadStatus.BUSY) {
                    throw new SwitchboardException.Conflict("thread_busy", "Thread " + id + " of this assistant has"
                            + " an active run; cancel it or wait, then delete again (nothing was deleted)");
                }
                api.switchboard().operations(id).stream().filter(op -> !op.status().isTerminal()).findFirst()
                        .ifPresent(op -> {
                            throw new SwitchboardException.Conflict("operation_in_flight", "Thread " + id
                                    + " has operation " + op.operationId() + " in flight; nothing was deleted");
                        });
            }
        }
        int deleted = 0;
        for (UUID id : threads) {
            try {
                api.switchboard().deleteThread(id);
            } catch (SwitchboardException.NotFound gone) {
                // deleted meanwhile
            } catch (SwitchboardException.Conflict busy) {
                // Became busy after the check above (each deletion holds its thread, not all of them at once):
                // say exactly what was done instead of the "nothing was deleted" of the check.
                throw new SwitchboardException.Conflict(busy.code(), busy.getMessage() + "; " + deleted + " of "
                        + threads.size() + " threads of this assistant were deleted before it, the assistant was"
                        + " kept; delete again to finish");
            }
            deleted++;
        }
        api.switchboard().assistants().delete(a.assistantId());
        ctx.json(Json.array().add(a.assistantId().toString()));
    }

    /** The path's assistant, if the caller may see it (else 404) and it is not a built-in one (else 409). */
    private Assistant editable(Context ctx) {
        String raw = ctx.pathParam("assistant_id");
        Assistant a = api.assistant(ctx, raw);
        if (a.assistantId().equals(Ids.nameBased(Ids.ASSISTANT_NAMESPACE, a.graphId()))) {
            throw new SwitchboardException.Conflict("builtin_assistant", "Assistant " + raw + " is built in: it"
                    + " follows the server's agent definition and cannot be changed or deleted; create an assistant"
                    + " of graph '" + a.graphId() + "' with POST /assistants instead");
        }
        return a;
    }

    /** The served agent named {@code graphId}; 404 {@code graph_not_found} otherwise, as nothing could run it. */
    private AgentGraph servedGraph(String graphId) {
        AgentGraph g = api.switchboard().graphs().get(graphId);
        if (g == null) {
            throw new InvalidRequest("unknown_graph", "graph_id '" + graphId + "' is not an agent this server serves; "
                    + "it serves " + api.switchboard().graphs().keySet().stream().sorted().toList());
        }
        return g;
    }

    /** {@code config}, checked: an object of known keys, its {@code configurable} an object this agent honours. */
    private static ObjectNode config(Body body, AgentGraph graph) {
        ObjectNode config = body.object("config");
        if (config == null) {
            return Json.object();
        }
        for (var it = config.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!CONFIG_FIELDS.contains(key)) {
                throw new InvalidRequest("invalid_config", "config." + key + " is not a config key; use "
                        + CONFIG_FIELDS.stream().sorted().toList());
            }
        }
        JsonNode tags = config.get("tags");
        if (tags != null && !tags.isNull() && !(tags.isArray() && allText(tags))) {
            throw new InvalidRequest("invalid_config", "config.tags must be a list of strings");
        }
        JsonNode limit = config.get("recursion_limit");
        if (limit != null && !limit.isNull() && !(limit.canConvertToInt() && limit.isIntegralNumber()
                && limit.asInt() >= 1)) {
            throw new InvalidRequest("invalid_config", "config.recursion_limit must be a whole number of at least 1");
        }
        profile(config, graph);
        return config;
    }

    private static void profile(ObjectNode config, AgentGraph graph) {
        JsonNode configurable = config.get("configurable");
        if (configurable != null && !configurable.isNull() && !configurable.isObject()) {
            throw new InvalidRequest("invalid_config", "config.configurable must be a JSON object");
        }
        RunProfile.of(configurable instanceof ObjectNode o ? o : null, graph);
        if (configurable instanceof ObjectNode o) {
            dev.switchboard.tool.ApprovalPolicy.validate(o.get(dev.switchboard.tool.ApprovalPolicy.CONFIG_KEY),
                    graph.toolsByName());
        }
        dev.switchboard.run.Breakpoints.nodes(dev.switchboard.run.Breakpoints.BEFORE_KEY,
                config.get(dev.switchboard.run.Breakpoints.BEFORE_KEY));
        dev.switchboard.run.Breakpoints.nodes(dev.switchboard.run.Breakpoints.AFTER_KEY,
                config.get(dev.switchboard.run.Breakpoints.AFTER_KEY));
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return false;
            }
        }
        return true;
    }
}

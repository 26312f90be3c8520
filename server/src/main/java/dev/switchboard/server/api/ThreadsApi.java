package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadStatus;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code /threads…}: create, get, patch, delete, search, count, copy, state and history (AGENT-PROTOCOL.md §3). */
public final class ThreadsApi {
    private static final Set<String> CREATE_FIELDS = Set.of("thread_id", "metadata", "if_exists", "supersteps", "ttl",
            "graph_id");
    private static final Set<String> SEARCH_FIELDS = Set.of("metadata", "values", "status", "ids", "limit", "offset",
            "sort_by", "sort_order", "select", "extract");

    /** What a thread search may {@code select}: the fields of a thread as Switchboard answers it. */
    static final Set<String> SELECTABLE = Set.of("thread_id", "created_at", "updated_at", "metadata", "config",
            "status", "values", "interrupts");
    /** Where an {@code extract} path may start. */
    static final Set<String> EXTRACT_ROOTS = Set.of("thread_id", "created_at", "updated_at", "metadata", "config",
            "status", "values", "interrupts");

    private final Api api;

    public ThreadsApi(Api api) {
        this.api = api;
    }

    public void register(RoutesConfig r) {
        r.post("/threads", this::create);
        r.post("/threads/search", this::search);
        r.post("/threads/count", this::count);
        r.post("/threads/prune", this::prune);
        r.get("/threads/{thread_id}", this::get);
        r.patch("/threads/{thread_id}", this::patch);
        r.delete("/threads/{thread_id}", this::delete);
        r.post("/threads/{thread_id}/copy", this::copy);
        r.get("/threads/{thread_id}/state", ctx -> state(ctx, null));
        r.get("/threads/{thread_id}/state/{checkpoint_id}", ctx -> state(ctx, Api.pathId(ctx, "checkpoint_id")));
        r.post("/threads/{thread_id}/state/checkpoint", this::stateAtCheckpoint);
        r.post("/threads/{thread_id}/state", this::updateState);
        r.patch("/threads/{thread_id}/state", this::patchState);
        new ThreadStreamApi(api).register(r);
        r.get("/threads/{thread_id}/history", this::historyGet);
        r.post("/threads/{thread_id}/history", this::historyPost);
    }

    private static UUID id(Context ctx) {
        return Api.pathId(ctx, "thread_id");
    }

    private void create(Context ctx) {
        Body body = Api.body(ctx).allowOnly(CREATE_FIELDS);
        dev.switchboard.thread.ThreadTtl ttl = TtlWire.parse(body.any("ttl"));
        if (body.has("supersteps")) {
            throw new InvalidRequest("unsupported", "supersteps are not supported; create the thread, then POST its state");
        }
        UUID threadId = body.uuid("thread_id");
        String ifExists = body.oneOf("if_exists", "raise", Set.of("raise", "do_nothing"));
        ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
        Caller caller = Api.caller(ctx);
        if (!caller.isAnonymous()) {
            metadata.put("owner", caller.user());
        }
        String graphId = body.string("graph_id", null);
        if (graphId != null) {
            api.switchboard().graph(graphId);
            metadata.put("graph_id", graphId);
        }
        if (threadId != null) {
            // Another user's thread is answered as a missing one would be refused: 404, with either if_exists,
            // so a create-with-id never confirms that someone else's thread exists.
            ConversationThread existing = null;
            try {
                existing = api.switchboard().thread(threadId);
            } catch (dev.switchboard.SwitchboardException.NotFound missing) {
                // free: created below
            }
            if (existing != null) {
                caller.check(existing);
            }
        }
        ConversationThread t = api.switchboard().createThread(threadId, metadata, "do_nothing".equals(ifExists), ttl);
        ctx.json(wire(caller.check(t)));
    }

    private ThreadQuery query(Body body, Caller caller) {
        ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
        // A user's search is within their own threads whatever it asks (an indexed owner predicate that an owner
        // filter in the body cannot widen); an admin's is over all of them.
        String owner = caller.isAnonymous() || caller.isAdmin() ? null : caller.user();
        if (owner != null) {
            metadata.remove("owner");
        }
        List<UUID> ids = null;
        JsonNode rawIds = body.any("ids");
        if (rawIds != null && !rawIds.isNull()) {
            if (!rawIds.isArray()) {
                throw new InvalidRequest("invalid_field", "ids must be a list of thread ids");
            }
            ids = new ArrayList<>();
            for (JsonNode n : rawIds) {
                ids.add(dev.switchboard.Ids.parse("ids[]", n.asText()));
            }
        }
        String status = body.string("status", null);
        String sortBy = body.string("sort_by", "created_at");
        String order = body.oneOf("sort_order", "desc", Set.of("asc", "desc"));
        return new ThreadQuery(metadata.isEmpty() ? null : metadata, body.object("values"),
                status == null ? null : ThreadStatus.fromWire(status), ids, body.integer("limit", 10, 1, 1000),
                body.integer("offset", 0, 0, Integer.MAX_VALUE), ThreadQuery.SortBy.fromWire(sortBy), "asc".equals(order),
                owner);
    }

    private void search(Context ctx) {
        Body body = Api.body(ctx).allowOnly(SEARCH_FIELDS);
        Selection selection = Selection.of(body, SELECTABLE, EXTRACT_ROOTS);
        ThreadQuery q = query(body, Api.caller(ctx));
        List<ConversationThread> found = api.switchboard().searchThreads(q);
        long total = api.switchboard().countThreads(q);
        ctx.header("X-Pagination-Total", Long.toString(total));
        if (q.offset() + found.size() < total) {
            ctx.header("X-Pagination-Next", Integer.toString(q.offset() + found.size()));
        }
        ArrayNode out = Json.array();
        found.forEach(t -> out.add(selection.apply(wire(t))));
        ctx.json(out);
    }

    /**
     * {@code POST /threads/prune} with strategy {@code delete}: each named thread the caller owns is deleted with
     * its runs, checkpoints and operations; ids of missing (or other users') threads are skipped, so a repeated
     * prune is harmless. A thread with an operation in flight refuses the whole prune (409, nothing deleted): no
     * side effect may go on without its record. With {@code keep_latest} each thread keeps only its latest
     * checkpoint (older ones and finished runs go); a thread with a run or an operation in flight refuses the
     * whole prune (409 {@code thread_busy}, nothing pruned), as its run may still build on them.
     */
    private void prune(Context ctx) throws InterruptedException {
        Body body = Api.body(ctx).allowOnly(Set.of("thread_ids", "strategy"));
        String strategy = body.oneOf("strategy", "delete", Set.of("delete", "keep_latest"));
        JsonNode raw = body.any("thread_ids");
        if (raw == null || !raw.isArray() || raw.isEmpty() || raw.size() > 1000) {
            throw new InvalidRequest("invalid_field", "thread_ids must be a list of 1 to 1000 thread ids");
        }
        Caller caller = Api.caller(ctx);
        List<UUID> owned = new ArrayList<>();
        for (JsonNode n : raw) {
            UUID id = dev.switchboard.Ids.parse("thread_ids[]", n.asText());
            try {
                if (caller.owns(api.switchboard().thread(id)) && !owned.contains(id)) {
                    owned.add(id);
                }
            } catch (dev.switchboard.SwitchboardException.NotFound missing) {
                // nothing to prune
            }
        }
        for (UUID id : owned) {
            api.switchboard().operations(id).stream().filter(op -> !op.status().isTerminal()).findFirst()
                    .ifPresent(op -> {
                        throw new dev.switchboard.SwitchboardException.Conflict("operation_in_flight", "Thread " + id
                                + " has operation " + op.operationId() + " in flight; nothing was pruned");
                    });
        }
        int pruned = 0;
        if ("keep_latest".equals(strategy)) {
            for (UUID id : owned) {
                if (api.switchboard().expiry().busy(id)) {
                    throw new dev.switchboard.SwitchboardException.Conflict("thread_busy", "Thread " + id
                            + " has a run or an operation in flight; nothing was pruned");
                }
            }
            for (UUID id : owned) {
                try {
                    api.switchboard().pruneKeepLatest(id);
                    pruned++;
                } catch (dev.switchboard.SwitchboardException.NotFound gone) {
                    // deleted meanwhile
                }
            }
            ctx.json(Json.object().put("pruned_count", pruned));
            return;
        }
        for (UUID id : owned) {
            try {
                api.switchboard().deleteThread(id);
                pruned++;
            } catch (dev.switchboard.SwitchboardException.NotFound gone) {
                // deleted meanwhile
            }
        }
        ctx.json(Json.object().put("pruned_count", pruned));
    }

    private void count(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("metadata", "values", "status"));
        ctx.json(api.switchboard().countThreads(query(body, Api.caller(ctx))));
    }

    private void patch(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        Body body = Api.body(ctx).allowOnly(Set.of("metadata", "ttl"));
        // Validated before anything changes; an explicit null clears the ttl, an absent one leaves it.
        boolean ttlGiven = body.node().has("ttl");
        dev.switchboard.thread.ThreadTtl ttl = TtlWire.parse(body.any("ttl"));
        ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
        if (!Api.caller(ctx).isAnonymous()) {
            metadata.remove("owner");
        }
        ConversationThread patched = api.switchboard().patchThread(threadId, metadata);
        if (ttlGiven) {
            api.switchboard().setThreadTtl(threadId, ttl);
        }
        ctx.json(wire(patched));
    }

    /** {@code GET /threads/{id}}; with {@code include=ttl} the thread's ttl as well (null when it has none). */
    private void get(Context ctx) {
        UUID threadId = id(ctx);
        ConversationThread t = api.thread(ctx, threadId);
        boolean withTtl = false;
        for (String include : ctx.queryParams("include")) {
            for (String part : include.split(",")) {
                if (part.strip().equals("ttl")) {
                    withTtl = true;
                } else if (!part.isBlank()) {
                    throw new InvalidRequest("invalid_field", "include takes ttl, got '" + part.strip() + "'");
                }
            }
        }
        ObjectNode n = wire(t);
        if (withTtl) {
            n.set("ttl", api.switchboard().threadTtl(threadId).<com.fasterxml.jackson.databind.JsonNode>map(
                    ttl -> TtlWire.wire(ttl, t.updatedAt())).orElse(Json.mapper().nullNode()));
        }
        ctx.json(n);
    }

    private void delete(Context ctx) throws InterruptedException {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        api.switchboard().deleteThread(threadId);
        ctx.status(204);
    }

    private void copy(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        ctx.json(wire(api.switchboard().copyThread(threadId)));
    }

    private void state(Context ctx, UUID checkpointId) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        Checkpoint c = api.switchboard().state(threadId, checkpointId).orElse(null);
        ctx.json(Wire.state(threadId, c));
    }

    private void stateAtCheckpoint(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("checkpoint", "subgraphs"));
        ObjectNode checkpoint = body.object("checkpoint");
        UUID checkpointId = checkpoint == null ? null : Body.of(checkpoint).uuid("checkpoint_id");
        state(ctx, checkpointId);
    }

    private void updateState(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        Body body = Api.body(ctx).allowOnly(Set.of("values", "as_node", "checkpoint_id", "checkpoint"));
        UUID checkpointId = body.uuid("checkpoint_id");
        ObjectNode checkpoint = body.object("checkpoint");
        if (checkpointId == null && checkpoint != null) {
            checkpointId = Body.of(checkpoint).uuid("checkpoint_id");
        }
        JsonNode values = body.any("values");
        if (values != null && values.isArray()) {
            throw new InvalidRequest("invalid_field", "values must be an object of state keys");
        }
        Checkpoint written = api.switchboard().updateState(threadId, values, body.string("as_node", null), checkpointId);
        ctx.json(Wire.checkpointOnly(threadId, written));
    }

    /**
     * {@code PATCH /threads/{id}/state}: merges {@code metadata} into the metadata of the thread's latest checkpoint
     * (the SDKs' {@code threads.patchState}); the state's values stay as they are. A thread without a checkpoint
     * has no state to patch: 409 {@code no_state}.
     */
    private void patchState(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        Body body = Api.body(ctx).allowOnly(Set.of("metadata"));
        ObjectNode metadata = body.object("metadata");
        if (metadata == null) {
            throw new InvalidRequest("missing_field", "metadata (an object) is required");
        }
        api.switchboard().patchStateMetadata(threadId, metadata);
        ctx.status(204);
    }

    private void historyGet(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        int limit = RunsApi.intParam(ctx, "limit", 10, 1, 1000);
        String before = ctx.queryParam("before");
        history(ctx, threadId, limit, before == null ? null : dev.switchboard.Ids.parse("before", before), null);
    }

    private void historyPost(Context ctx) {
        UUID threadId = id(ctx);
        api.thread(ctx, threadId);
        Body body = Api.body(ctx).allowOnly(Set.of("limit", "before", "metadata", "checkpoint"));
        UUID before = null;
        JsonNode rawBefore = body.any("before");
        if (rawBefore != null && !rawBefore.isNull()) {
            before = rawBefore.isObject() ? Body.of((ObjectNode) rawBefore).uuid("checkpoint_id") : body.uuid("before");
        }
        history(ctx, threadId, body.integer("limit", 10, 1, 1000), before, body.object("metadata"));
    }

    private void history(Context ctx, UUID threadId, int limit, UUID before, ObjectNode metadataFilter) {
        ArrayNode out = Json.array();
        // Pages of the limit asked for: without a metadata filter one page is the answer; with one, pages are read
        // until enough checkpoints match or the history ends.
        UUID cursor = before;
        while (out.size() < limit) {
            List<Checkpoint> page = api.switchboard().history(threadId, limit, cursor);
            for (Checkpoint c : page) {
                if (out.size() < limit && (metadataFilter == null || Json.contains(c.metadata(), metadataFilter))) {
                    out.add(Wire.state(threadId, c));
                }
            }
            if (page.size() < limit) {
                break;
            }
            cursor = page.getLast().checkpointId();
        }
        ctx.json(out);
    }

    /** A thread on the wire, with its pending interrupts when it waits for a person (read only then). */
    private ObjectNode wire(ConversationThread t) {
        java.util.Optional<dev.switchboard.checkpoint.Pause> pause = t.status() == dev.switchboard.thread.ThreadStatus.INTERRUPTED
                ? api.switchboard().state(t.threadId(), null).flatMap(dev.switchboard.checkpoint.Checkpoint::pause)
                : java.util.Optional.empty();
        return Wire.thread(t, pause);
    }
}

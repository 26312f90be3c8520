package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.assistant.AssistantQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * {@code /assistants}: the hosted graphs' assistants, searchable and readable by id or graph id. The database may
 * still hold assistants of a graph this server no longer hosts (the test-only {@code scripted} one, from a start
 * with {@code --scripted-assistant}): they are neither listed nor readable, as nothing here could run them.
 */
public final class AssistantsApi {
    /** What an assistant search may {@code select}: the fields of an assistant as Switchboard answers it. */
    static final Set<String> ASSISTANT_SELECTABLE = Set.of("assistant_id", "graph_id", "name", "description", "config",
            "context", "created_at", "updated_at", "metadata", "version");
    private final Api api;

    public AssistantsApi(Api api) {
        this.api = api;
    }

    public void register(RoutesConfig r) {
        r.post("/assistants/search", this::search);
        r.post("/assistants/count", this::count);
        r.get("/assistants/{assistant_id}", ctx -> ctx.json(Wire.assistant(hosted(ctx.pathParam("assistant_id")))));
        r.get("/assistants/{assistant_id}/schemas", this::schemas);
        r.get("/assistants/{assistant_id}/graph", this::graph);
    }

    private AssistantQuery query(Body body) {
        return new AssistantQuery(body.string("graph_id", null), body.object("metadata"), body.string("name", null),
                body.integer("limit", 10, 1, 1000), body.integer("offset", 0, 0, Integer.MAX_VALUE));
    }

    private void search(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("graph_id", "metadata", "name", "limit", "offset", "sort_by",
                "sort_order", "select"));
        Selection selection = Selection.of(body, ASSISTANT_SELECTABLE, Set.of());
        AssistantQuery q = query(body);
        List<Assistant> matching = matching(q);
        ctx.header("X-Pagination-Total", Integer.toString(matching.size()));
        ArrayNode out = Json.array();
        matching.stream().skip(q.offset()).limit(q.limit()).forEach(a -> out.add(selection.apply(Wire.assistant(a))));
        ctx.json(out);
    }

    private void count(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("graph_id", "metadata", "name"));
        ctx.json(matching(new AssistantQuery(body.string("graph_id", null), body.object("metadata"),
                body.string("name", null), 1000, 0)).size());
    }

    /**
     * Every assistant of a hosted graph that {@code q} matches, before paging: paging happens after the hosted
     * filter so that pages and the total agree. A server holds a handful of assistants, so all of them fit.
     */
    private List<Assistant> matching(AssistantQuery q) {
        AssistantQuery unpaged = new AssistantQuery(q.graphId(), q.metadata(), q.name(), 1000, 0);
        return api.switchboard().assistants().search(unpaged).stream()
                .filter(a -> api.switchboard().graphs().containsKey(a.graphId())).toList();
    }

    /** The assistant by id or graph id, if this server hosts its graph; else 404 as for an unknown one. */
    private Assistant hosted(String idOrGraphId) {
        Assistant a = api.switchboard().assistant(idOrGraphId);
        if (!api.switchboard().graphs().containsKey(a.graphId())) {
            throw new SwitchboardException.NotFound("Assistant '" + idOrGraphId + "' not found");
        }
        return a;
    }

    private void schemas(Context ctx) {
        Assistant a = hosted(ctx.pathParam("assistant_id"));
        var n = Json.object();
        n.put("graph_id", a.graphId());
        var input = n.putObject("input_schema");
        input.put("type", "object");
        var props = input.putObject("properties");
        props.putObject("messages").put("type", "array");
        props.putObject("thread_type").put("type", "string");
        props.putObject("interim_messages_reset").put("type", "boolean");
        n.set("output_schema", input.deepCopy());
        n.set("state_schema", input.deepCopy());
        n.putObject("config_schema").put("type", "object");
        n.putObject("context_schema").put("type", "object");
        ctx.json(n);
    }

    private void graph(Context ctx) {
        hosted(ctx.pathParam("assistant_id"));
        var n = Json.object();
        var nodes = n.putArray("nodes");
        for (String id : List.of("__start__", "agent", "tools", "__end__")) {
            nodes.addObject().put("id", id).put("type", "runnable").putObject("data").put("name", id);
        }
        var edges = n.putArray("edges");
        edges.addObject().put("source", "__start__").put("target", "agent");
        edges.addObject().put("source", "agent").put("target", "tools").put("conditional", true);
        edges.addObject().put("source", "agent").put("target", "__end__").put("conditional", true);
        edges.addObject().put("source", "tools").put("target", "agent");
        ctx.json(n);
    }
}

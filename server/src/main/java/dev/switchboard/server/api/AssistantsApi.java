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
        r.get("/assistants/{assistant_id}/subgraphs", this::subgraphs);
        r.get("/assistants/{assistant_id}/subgraphs/{namespace}", this::subgraphs);
    }

    private AssistantQuery query(Body body) {
        return new AssistantQuery(body.string("graph_id", null), body.object("metadata"), body.string("name", null),
                body.integer("limit", 10, 1, 1000), body.integer("offset", 0, 0, Integer.MAX_VALUE));
    }

    private void search(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("graph_id", "metadata", "name", "limit", "offset", "sort_by",
                "sort_order", "select"));
        AssistantQuery q = query(body);
        List<Assistant> matching = matching(q);
        ctx.header("X-Pagination-Total", Integer.toString(matching.size()));
        ArrayNode out = Json.array();
        matching.stream().skip(q.offset()).limit(q.limit()).forEach(a -> out.add(Wire.assistant(a)));
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
        ctx.json(GraphDrawing.schemas(api.switchboard().graph(a.graphId())));
    }

    private void graph(Context ctx) {
        Assistant a = hosted(ctx.pathParam("assistant_id"));
        ctx.json(GraphDrawing.graph(api.switchboard().graph(a.graphId())));
    }

    /** An agent has no subgraphs; LangGraph answers an empty object for such a graph, with or without a namespace. */
    private void subgraphs(Context ctx) {
        hosted(ctx.pathParam("assistant_id"));
        ctx.json(Json.object());
    }
}

package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.assistant.AssistantQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * {@code /assistants}: the hosted graphs' assistants, searchable and readable by id or graph id. The database may
 * still hold assistants of a graph this server no longer hosts (the test-only {@code scripted} one, from a start
 * with {@code --scripted-assistant}): they are neither listed nor readable, as nothing here could run them.
 * With sign-in on, a created assistant is its creator's (and admins'): nobody else sees it. Creating, patching,
 * versions and deleting are {@link AssistantEditsApi}'s.
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
        r.get("/assistants/{assistant_id}", ctx -> ctx.json(Wire.assistant(hosted(ctx))));
        new AssistantEditsApi(api).register(r);
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
        Selection selection = Selection.of(body, ASSISTANT_SELECTABLE, Set.of());
        AssistantQuery q = query(body);
        String sortBy = body.oneOf("sort_by", null, SORT_FIELDS);
        boolean ascending = "asc".equals(body.oneOf("sort_order", sortBy == null ? "asc" : "desc",
                Set.of("asc", "desc")));
        List<Assistant> matching = new java.util.ArrayList<>(matching(q, Api.caller(ctx)));
        if (sortBy != null) {
            Comparator<Assistant> order = (x, y) -> compareKeys(x, y, sortBy);
            matching.sort((ascending ? order : order.reversed()).thenComparing(a -> a.assistantId().toString()));
        }
        ctx.header("X-Pagination-Total", Integer.toString(matching.size()));
        ArrayNode out = Json.array();
        matching.stream().skip(q.offset()).limit(q.limit()).forEach(a -> out.add(selection.apply(Wire.assistant(a))));
        ctx.json(out);
    }

    private static final Set<String> SORT_FIELDS = Set.of("assistant_id", "graph_id", "name", "created_at",
            "updated_at");
    private static final Set<String> SELECT_FIELDS = Set.of("assistant_id", "graph_id", "name", "description",
            "config", "context", "metadata", "version", "created_at", "updated_at");

    /** A sort key that orders as the field's wire value does (timestamps as instants, not as text). */
    private static Comparable<?> sortKey(Assistant a, String field) {
        return switch (field) {
            case "assistant_id" -> a.assistantId().toString();
            case "graph_id" -> a.graphId();
            case "name" -> a.name();
            case "created_at" -> a.createdAt();
            default -> a.updatedAt();
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(Assistant x, Assistant y, String field) {
        // Both keys come from sortKey for the same field, so they are of one Comparable type.
        return ((Comparable) sortKey(x, field)).compareTo(sortKey(y, field));
    }

    /** {@code select}: which fields each assistant carries (all when absent); an unknown field is refused. */
    private static List<String> select(Body body) {
        JsonNode raw = body.any("select");
        if (raw == null || raw.isNull()) {
            return List.of();
        }
        if (!raw.isArray() || raw.isEmpty()) {
            throw new SwitchboardException.InvalidRequest("invalid_field", "select must be a non-empty list of "
                    + "assistant fields: " + SELECT_FIELDS.stream().sorted().toList());
        }
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode field : raw) {
            if (!field.isTextual() || !SELECT_FIELDS.contains(field.asText())) {
                throw new SwitchboardException.InvalidRequest("invalid_field", "select: " + field + " is not an "
                        + "assistant field; use " + SELECT_FIELDS.stream().sorted().toList());
            }
            out.add(field.asText());
        }
        return out;
    }

    private void count(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("graph_id", "metadata", "name"));
        ctx.json(matching(new AssistantQuery(body.string("graph_id", null), body.object("metadata"),
                body.string("name", null), 1000, 0), Api.caller(ctx)).size());
    }

    /**
     * Every assistant of a hosted graph that {@code q} matches, before paging: paging happens after the hosted
     * filter so that pages and the total agree. A server holds a handful of assistants, so all of them fit.
     */
    private List<Assistant> matching(AssistantQuery q, dev.switchboard.server.auth.Caller caller) {
        AssistantQuery unpaged = new AssistantQuery(q.graphId(), q.metadata(), q.name(), 1000, 0);
        return api.switchboard().assistants().search(unpaged).stream()
                .filter(a -> api.switchboard().graphs().containsKey(a.graphId()) && caller.mayUse(a)).toList();
    }

    /** The path's assistant, if the caller may use it and this server hosts its graph; else 404. */
    private Assistant hosted(Context ctx) {
        return api.assistant(ctx, ctx.pathParam("assistant_id"));
    }

    private void schemas(Context ctx) {
        Assistant a = hosted(ctx);
        ctx.json(GraphDrawing.schemas(api.switchboard().graph(a.graphId())));
    }

    private void graph(Context ctx) {
        Assistant a = hosted(ctx);
        ctx.json(GraphDrawing.graph(api.switchboard().graph(a.graphId())));
    }

    /** An agent has no subgraphs; LangGraph answers an empty object for such a graph, with or without a namespace. */
    private void subgraphs(Context ctx) {
        hosted(ctx);
        ctx.json(Json.object());
    }
}

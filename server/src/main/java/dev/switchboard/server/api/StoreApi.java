package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.store.Item;
import dev.switchboard.store.Namespace;
import dev.switchboard.store.NamespaceQuery;
import dev.switchboard.store.ScoredItem;
import dev.switchboard.store.SearchQuery;
import dev.switchboard.store.StoreIndex;
import java.util.Optional;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /store…}: namespaced items (AGENT-PROTOCOL.md §9), kept per user when auth is on. */
public final class StoreApi {
    private final Api api;

    public StoreApi(Api api) {
        this.api = api;
    }

    public void register(RoutesConfig r) {
        r.put("/store/items", this::put);
        r.get("/store/items", this::get);
        r.delete("/store/items", this::delete);
        r.post("/store/items/search", this::search);
        r.post("/store/namespaces", this::namespaces);
    }

    private static List<String> labels(JsonNode node, String field, boolean allowEmpty) {
        if (node == null || node.isNull()) {
            if (allowEmpty) {
                return List.of();
            }
            throw new InvalidRequest("invalid_namespace", field + " is required");
        }
        if (!node.isArray()) {
            throw new InvalidRequest("invalid_namespace", field + " must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new InvalidRequest("invalid_namespace", field + " must contain only strings");
            }
            out.add(n.asText());
        }
        if (!allowEmpty && out.isEmpty()) {
            throw new InvalidRequest("invalid_namespace", field + " must not be empty");
        }
        Namespace.checkLabels(out);
        return out;
    }

    private void put(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("namespace", "key", "value", "index", "ttl"));
        Caller caller = Api.caller(ctx);
        List<String> ns = labels(body.any("namespace"), "namespace", false);
        String key = body.requiredString("key");
        ObjectNode value = body.object("value");
        if (value == null) {
            throw new InvalidRequest("invalid_value", "value must be a JSON object");
        }
        double ttlMinutes = body.number("ttl", 0, 0, 525_600);
        float[] embedding = embedding(body.any("index"), value);
        api.switchboard().store().put(new Namespace(caller.storeNamespace(ns)), key, value,
                ttlMinutes > 0 ? Duration.ofMillis((long) (ttlMinutes * 60_000)) : null, embedding);
        ctx.status(204);
    }

    /**
     * The item's vector under the store's index: {@code index} absent or null, the configured fields; a list of
     * field paths, those; {@code false}, none (kept, not searchable by meaning). Naming fields with no index
     * configured is refused rather than ignored.
     */
    private float[] embedding(JsonNode index, ObjectNode value) {
        if (index != null && index.isBoolean() && !index.asBoolean()) {
            return null;
        }
        List<String> paths = null;
        if (index != null && !index.isNull()) {
            if (!index.isArray() || index.isEmpty()) {
                throw new InvalidRequest("invalid_index", "index must be false or a non-empty list of field paths");
            }
            paths = new ArrayList<>();
            for (JsonNode p : index) {
                if (!p.isTextual()) {
                    throw new InvalidRequest("invalid_index", "index must list field paths as strings");
                }
                paths.add(p.asText());
            }
            StoreIndex.checkPaths(paths);
        }
        Optional<StoreIndex> configured = api.switchboard().storeIndex();
        if (configured.isEmpty()) {
            if (paths != null) {
                throw notIndexed("index");
            }
            return null;
        }
        return configured.get().embed(value, paths);
    }

    private static InvalidRequest notIndexed(String field) {
        return new InvalidRequest("store_not_indexed", field + " needs the store's semantic index, which is off; "
                + "start the server with SWITCHBOARD_STORE_INDEX=local (see docs/semantic-store.md)");
    }

    private void get(Context ctx) {
        Caller caller = Api.caller(ctx);
        String dotted = ctx.queryParam("namespace");
        String key = ctx.queryParam("key");
        if (dotted == null || dotted.isBlank() || key == null || key.isBlank()) {
            throw new InvalidRequest("missing_field", "namespace and key query parameters are required");
        }
        boolean refresh = ctx.queryParam("refresh_ttl") == null ? refreshOnRead() : RunsApi.boolParam(ctx, "refresh_ttl");
        Namespace visible = Namespace.parseDotted(dotted);
        Namespace stored = new Namespace(caller.storeNamespace(visible.labels()));
        api.switchboard().store().get(stored, key).ifPresentOrElse(
                item -> {
                    if (refresh) {
                        api.switchboard().store().refreshTtl(List.of(item));
                    }
                    ctx.json(Wire.item(item, visible.labels()));
                },
                () -> ctx.contentType("application/json").result("null"));
    }

    private void delete(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("namespace", "key"));
        Caller caller = Api.caller(ctx);
        List<String> ns = labels(body.any("namespace"), "namespace", false);
        api.switchboard().store().delete(new Namespace(caller.storeNamespace(ns)), body.requiredString("key"));
        ctx.status(204);
    }

    private void search(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("namespace_prefix", "filter", "limit", "offset", "query", "refresh_ttl"));
        Boolean asked = body.bool("refresh_ttl");
        boolean refresh = asked != null ? asked : refreshOnRead();
        Caller caller = Api.caller(ctx);
        List<String> prefix = caller.storeNamespace(labels(body.any("namespace_prefix"), "namespace_prefix", true));
        SearchQuery q = new SearchQuery(prefix, body.object("filter"), body.integer("limit", 10, 1, 1000),
                body.integer("offset", 0, 0, Integer.MAX_VALUE));
        String query = body.string("query", null);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("items");
        if (query != null) {
            if (query.isBlank()) {
                throw new InvalidRequest("invalid_field", "query must not be blank; leave it out to list by recency");
            }
            StoreIndex index = api.switchboard().storeIndex().orElseThrow(() -> notIndexed("query"));
            List<ScoredItem> hits = api.switchboard().store().searchSimilar(q, index.embedder().embed(query));
            if (refresh) {
                api.switchboard().store().refreshTtl(hits.stream().map(ScoredItem::item).toList());
            }
            for (ScoredItem hit : hits) {
                items.add(Wire.item(hit.item(), caller.visibleNamespace(hit.item().namespace().labels()))
                        .put("score", hit.score()));
            }
            ctx.json(out);
            return;
        }
        List<Item> found = api.switchboard().store().search(q);
        if (refresh) {
            api.switchboard().store().refreshTtl(found);
        }
        for (Item item : found) {
            items.add(Wire.item(item, caller.visibleNamespace(item.namespace().labels())));
        }
        ctx.json(out);
    }

    /**
     * What a read that does not say {@code refresh_ttl} does: refresh the ttl of the items it returns, as the
     * Agent Server does by default ({@code SWITCHBOARD_STORE_REFRESH_ON_READ=false} turns it off).
     */
    private boolean refreshOnRead() {
        return api.switchboard().expiry().storeRefreshOnRead();
    }

    private void namespaces(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("prefix", "suffix", "max_depth", "limit", "offset"));
        Caller caller = Api.caller(ctx);
        List<String> prefix = caller.storeNamespace(labels(body.any("prefix"), "prefix", true));
        List<String> suffix = labels(body.any("suffix"), "suffix", true);
        Integer maxDepth = body.has("max_depth") ? body.integer("max_depth", 0, 1, 100) : null;
        int hidden = caller.hiddenLabels();
        NamespaceQuery q = new NamespaceQuery(prefix, suffix, maxDepth == null ? null : maxDepth + hidden,
                body.integer("limit", 100, 1, 1000), body.integer("offset", 0, 0, Integer.MAX_VALUE));
        ObjectNode out = Json.object();
        ArrayNode names = out.putArray("namespaces");
        for (List<String> ns : api.switchboard().store().listNamespaces(q)) {
            ArrayNode one = names.addArray();
            caller.visibleNamespace(ns).forEach(one::add);
        }
        ctx.json(out);
    }
}

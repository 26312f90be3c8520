package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.store.Embedder;
import dev.switchboard.store.StoreIndex;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PUT /store/items {@code index} and POST /store/items/search {@code query} over HTTP, with a word-count embedder
 * so that the expected order is plain (the real model's ranking is LocalSemanticSearchTest's): scores, filters,
 * {@code index: false}, field paths, per-user namespaces, and a store without an index refusing both.
 */
class SemanticStoreHttpTest {
    private static final List<String> WORDS = List.of("roaming", "bill", "phone", "signal");

    /** One dimension per word of {@link #WORDS}: how often it occurs. */
    static final Embedder WORD_COUNTS = new Embedder() {
        @Override
        public float[] embed(String text) {
            float[] v = new float[WORDS.size()];
            for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                int i = WORDS.indexOf(w);
                if (i >= 0) {
                    v[i]++;
                }
            }
            return v;
        }

        @Override
        public int dimensions() {
            return WORDS.size();
        }
    };

    private TestServer t;

    @AfterEach
    void stop() {
        t.close();
    }

    private static JsonNode put(Http who, String key, Object value, Object... more) {
        Response r = who.put("/store/items", obj(more.length == 0 ? new Object[] {"namespace", List.of("mem"), "key",
                key, "value", value} : concat(new Object[] {"namespace", List.of("mem"), "key", key, "value", value},
                more)));
        assertThat(r.status()).as(r.body()).isEqualTo(204);
        return null;
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void query_ranksByMeaningWithScores_filtersAndRespectsIndexFalse() {
        t = TestServer.startWithStoreIndex(s -> s, new StoreIndex(WORD_COUNTS, List.of()));
        Http h = t.http;
        put(h, "trip", Map.of("text", "roaming roaming in Spain", "n", 1));
        put(h, "invoice", Map.of("text", "the bill was too high", "n", 2));
        put(h, "mixed", Map.of("text", "roaming bill", "n", 3));
        put(h, "hidden", Map.of("text", "roaming roaming roaming", "n", 4), "index", false);
        put(h, "bio", Map.of("text", "bill", "note", "roaming"), "index", List.of("note"));

        JsonNode items = h.post("/store/items/search", obj("namespace_prefix", List.of("mem"), "query",
                "roaming")).json().path("items");
        assertThat(Http.texts(items, "key")).containsExactly("bio", "trip", "mixed", "invoice"); // a tie: newest first
        assertThat(items.get(3).path("score").asDouble()).isZero();
        assertThat(items.get(0).path("score").asDouble()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(items.get(2).path("score").asDouble()).isEqualTo(Math.sqrt(0.5),
                org.assertj.core.data.Offset.offset(1e-6));
        JsonNode filtered = h.post("/store/items/search", obj("query", "roaming", "filter",
                Map.of("n", Map.of("$gte", 2)))).json().path("items");
        assertThat(Http.texts(filtered, "key")).containsExactly("mixed", "invoice");
        assertThat(h.post("/store/items/search", obj("query", "   ")).code()).isEqualTo("invalid_field");
        assertThat(h.put("/store/items", obj("namespace", List.of("mem"), "key", "x", "value", Map.of(), "index",
                List.of("a..b"))).code()).isEqualTo("invalid_index");
        assertThat(h.post("/store/items/search", obj("filter", Map.of("n", Map.of("$near", 1)))).code())
                .isEqualTo("invalid_filter");
        assertThat(t.http.get("/info").json().path("flags").path("store_index").asBoolean()).isTrue();
    }

    @Test
    void query_seesOnlyTheCallersOwnItems() {
        t = TestServer.startWithStoreIndex(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")),
                new StoreIndex(WORD_COUNTS, List.of()));
        put(t.http.key("ka"), "a", Map.of("text", "roaming"));
        put(t.http.key("kb"), "b", Map.of("text", "roaming"));
        JsonNode alice = t.http.key("ka").post("/store/items/search", obj("query", "roaming")).json().path("items");
        assertThat(Http.texts(alice, "key")).containsExactly("a");
        assertThat(alice.get(0).path("namespace")).hasSize(1);
    }

    @Test
    void withoutAnIndex_queryAndIndexFieldsAre422_andIndexFalseIsFine() {
        t = TestServer.start();
        Response q = t.http.post("/store/items/search", obj("query", "roaming"));
        assertThat(q.status()).isEqualTo(422);
        assertThat(q.code()).isEqualTo("store_not_indexed");
        Response put = t.http.put("/store/items", obj("namespace", List.of("mem"), "key", "k", "value",
                Map.of("a", 1), "index", List.of("a")));
        assertThat(put.code()).isEqualTo("store_not_indexed");
        assertThat(t.http.get("/store/items?namespace=mem&key=k").body()).isEqualTo("null");
        assertThat(t.http.put("/store/items", obj("namespace", List.of("mem"), "key", "k", "value", Map.of("a", 1),
                "index", false)).status()).isEqualTo(204);
        assertThat(t.http.get("/info").json().path("flags").path("store_index").asBoolean()).isFalse();
    }
}

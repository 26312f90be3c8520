package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * API keys for two users: no key is a 401, each user sees only their own threads, runs, operations and store
 * items (404 for the other's, which never show up in a search), and store namespaces stay apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthHttpTest {
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")));
    private final Http anonymous = t.http;
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterAll
    void stop() {
        t.close();
    }

    private String threadOf(Http who, Object metadata) {
        return who.post("/threads", obj("metadata", metadata)).json().path("thread_id").asText();
    }

    @Test
    void withoutAKey_everyApiPathIs401_butHealthInfoAndMetricsAreOpen() {
        for (String path : List.of("/threads/search", "/assistants/search", "/store/namespaces", "/runs/wait")) {
            Response r = anonymous.post(path, obj());
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.code()).isEqualTo("unauthorized");
        }
        assertThat(anonymous.get("/threads/" + java.util.UUID.randomUUID()).status()).isEqualTo(401);
        assertThat(anonymous.get("/api/agent/events?user_id=alice").status()).isEqualTo(401);
        assertThat(anonymous.key("wrong").post("/threads", obj()).status()).isEqualTo(401);
        assertThat(anonymous.with("Authorization", "Bearer wrong").post("/threads", obj()).status()).isEqualTo(401);
        assertThat(anonymous.with("Authorization", "Basic a2E6").post("/threads", obj()).status()).isEqualTo(401);
        assertThat(anonymous.get("/ok").status()).isEqualTo(200);
        assertThat(anonymous.get("/info").json().path("flags").path("auth").asBoolean()).isTrue();
        assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
        assertThat(anonymous.get("/openapi.json").status()).isEqualTo(200);
    }

    @Test
    void bearerToken_authenticatesLikeXApiKey() {
        Http bearer = anonymous.with("Authorization", "Bearer ka");
        String thread = threadOf(bearer, Map.of("via", "bearer"));
        assertThat(alice.get("/threads/" + thread).status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + thread).json().path("metadata").path("owner").asText()).isEqualTo("alice");
        assertThat(anonymous.with("Authorization", "bearer ka").get("/threads/" + thread).status()).isEqualTo(200);
        assertThat(bob.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void everyEndpoint_onAlicesThings_is404ForBob_andLeavesThemAsTheyWere() throws Exception {
        String thread = threadOf(alice, Map.of("secret", "alice's"));
        Response wait = alice.post("/threads/" + thread + "/runs/wait", scriptedRun("hello", 2, 0));
        String run = wait.header("Content-Location").orElseThrow().replaceAll(".*/runs/", "");
        String checkpoint = alice.get("/threads/" + thread + "/state").json().path("checkpoint").path("checkpoint_id")
                .asText();
        String stateless = alice.post("/runs", scriptedRun("stateless", 2, 0, "on_completion", "keep")).json()
                .path("run_id").asText();
        String opThread = threadOf(alice, Map.of());
        String opRun = alice.post("/threads/" + opThread + "/runs", TestServer.lanesRun("please change my plan"))
                .json().path("run_id").asText();
        String operation = await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode ops = alice.get("/threads/" + opThread + "/operations").json();
            return ops.isEmpty() ? null : ops.get(0).path("operation_id").asText();
        }, java.util.Objects::nonNull);
        String before = alice.get("/threads/" + thread).body() + alice.get("/threads/" + thread + "/runs").body()
                + alice.get("/threads/" + thread + "/history?limit=100").body();

        String tp = "/threads/" + thread;
        String rp = tp + "/runs/" + run;
        ObjectNode runBody = scriptedRun("bob was here", 2, 0);
        List<Object[]> walk = List.of(
                new Object[] {"GET", tp, null},
                new Object[] {"PATCH", tp, obj("metadata", Map.of("secret", "bob's"))},
                new Object[] {"POST", tp + "/copy", null},
                new Object[] {"GET", tp + "/state", null},
                new Object[] {"GET", tp + "/state/" + checkpoint, null},
                new Object[] {"POST", tp + "/state/checkpoint", obj("checkpoint", Map.of("checkpoint_id", checkpoint))},
                new Object[] {"POST", tp + "/state", obj("values", Map.of("x", 1))},
                new Object[] {"GET", tp + "/history", null},
                new Object[] {"POST", tp + "/history", obj("limit", 5)},
                new Object[] {"POST", tp + "/runs", runBody},
                new Object[] {"POST", tp + "/runs", scriptedRun("create?", 2, 0, "if_not_exists", "create")},
                new Object[] {"POST", tp + "/runs/wait", runBody},
                new Object[] {"POST", tp + "/runs/stream", runBody},
                new Object[] {"GET", tp + "/runs", null},
                new Object[] {"GET", rp, null},
                new Object[] {"POST", rp + "/cancel?action=rollback", null},
                new Object[] {"GET", rp + "/join", null},
                new Object[] {"GET", rp + "/stream", null},
                new Object[] {"DELETE", rp, null},
                new Object[] {"GET", "/runs/" + stateless + "/stream", null},
                new Object[] {"GET", "/threads/" + opThread + "/operations", null},
                new Object[] {"GET", "/threads/" + opThread + "/runs/" + opRun, null},
                new Object[] {"GET", "/operations/" + operation, null},
                new Object[] {"POST", "/operations/" + operation + "/cancel", null},
                new Object[] {"POST", "/threads", obj("thread_id", thread, "if_exists", "do_nothing")},
                new Object[] {"POST", "/threads", obj("thread_id", thread, "if_exists", "raise")},
                new Object[] {"DELETE", tp, null});
        List<String> answers = new ArrayList<>();
        for (Object[] step : walk) {
            Response r = bob.send((String) step[0], (String) step[1], step[2]);
            answers.add(step[0] + " " + step[1] + " -> " + r.status() + " " + r.code());
            assertThat(r.status()).as("bob: %s %s -> %s", step[0], step[1], r.body()).isEqualTo(404);
            assertThat(r.json().path("detail").asText()).as("the 404 does not name the owner").doesNotContain("alice");
        }
        assertThat(answers).hasSize(walk.size());

        String after = alice.get("/threads/" + thread).body() + alice.get("/threads/" + thread + "/runs").body()
                + alice.get("/threads/" + thread + "/history?limit=100").body();
        assertThat(after).isEqualTo(before);
        assertThat(alice.get("/operations/" + operation).json().path("cancel_requested").asBoolean()).isFalse();
        t.release();
        assertThat(alice.get("/threads/" + opThread + "/runs/" + opRun + "/join").status()).isEqualTo(200);
        assertThat(alice.get("/operations/" + operation).json().path("status").asText()).isEqualTo("succeeded");
        // Alice can do all of it herself.
        assertThat(alice.get("/runs/" + stateless + "/stream").status()).isEqualTo(200);
        assertThat(alice.delete("/threads/" + thread + "/runs/" + run).status()).isEqualTo(204);
        assertThat(alice.delete("/threads/" + thread).status()).isEqualTo(204);
    }

    @Test
    void searchesAndCounts_neverIncludeTheOtherUsersThreads_evenWhenAskedByOwner() {
        String tag = java.util.UUID.randomUUID().toString();
        String a1 = threadOf(alice, Map.of("tag", tag));
        String a2 = threadOf(alice, Map.of("tag", tag));
        String b1 = threadOf(bob, Map.of("tag", tag));
        assertThat(Http.texts(alice.post("/threads/search", obj("metadata", Map.of("tag", tag))).json(), "thread_id"))
                .containsExactlyInAnyOrder(a1, a2);
        Response bobs = bob.post("/threads/search", obj("metadata", Map.of("tag", tag)));
        assertThat(Http.texts(bobs.json(), "thread_id")).containsExactly(b1);
        assertThat(bobs.header("X-Pagination-Total")).contains("1");
        assertThat(bob.post("/threads/search", obj("metadata", Map.of("owner", "alice"), "limit", 1000)).json())
                .as("asking for alice's threads by owner still answers only bob's")
                .allSatisfy(th -> assertThat(th.path("metadata").path("owner").asText()).isEqualTo("bob"));
        assertThat(bob.post("/threads/search", obj("ids", List.of(a1, a2, b1))).json()).hasSize(1);
        assertThat(bob.post("/threads/search", obj("limit", 1000)).json())
                .allSatisfy(th -> assertThat(th.path("metadata").path("owner").asText()).isEqualTo("bob"));
        assertThat(bob.post("/threads/count", obj("metadata", Map.of("tag", tag))).json().asInt()).isEqualTo(1);
        assertThat(alice.post("/threads/count", obj("metadata", Map.of("tag", tag))).json().asInt()).isEqualTo(2);
        // Assistants are shared.
        assertThat(bob.post("/assistants/search", obj()).json()).hasSize(2);
    }

    @Test
    void owner_cannotBeForgedOnCreate_norChangedByPatch() {
        String thread = threadOf(alice, Map.of("owner", "bob"));
        assertThat(alice.get("/threads/" + thread).json().path("metadata").path("owner").asText()).isEqualTo("alice");
        assertThat(bob.get("/threads/" + thread).status()).isEqualTo(404);
        JsonNode patched = alice.patch("/threads/" + thread, obj("metadata", Map.of("owner", "bob", "x", 1))).json();
        assertThat(patched.path("metadata").path("owner").asText()).isEqualTo("alice");
        assertThat(patched.path("metadata").path("x").asInt()).isEqualTo(1);
        assertThat(bob.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void sameStoreNamespace_forTwoUsers_staysSeparate() {
        alice.put("/store/items", obj("namespace", List.of("prefs", "ui"), "key", "theme", "value", Map.of("who", "alice")));
        bob.put("/store/items", obj("namespace", List.of("prefs", "ui"), "key", "theme", "value", Map.of("who", "bob")));
        alice.put("/store/items", obj("namespace", List.of("prefs", "alice-only"), "key", "k", "value", Map.of()));

        JsonNode a = alice.get("/store/items?namespace=prefs.ui&key=theme").json();
        assertThat(a.path("value").path("who").asText()).isEqualTo("alice");
        assertThat(a.path("namespace")).isEqualTo(Json.mapper().valueToTree(List.of("prefs", "ui")));
        assertThat(bob.get("/store/items?namespace=prefs.ui&key=theme").json().path("value").path("who").asText())
                .isEqualTo("bob");
        assertThat(bob.get("/store/items?namespace=prefs.alice-only&key=k").body()).isEqualTo("null");

        JsonNode bobItems = bob.post("/store/items/search", obj("namespace_prefix", List.of())).json().path("items");
        assertThat(bobItems).isNotEmpty().allSatisfy(i -> {
            assertThat(i.path("value").path("who").asText("bob")).isEqualTo("bob");
            assertThat(i.path("namespace").toString()).doesNotContain("user:");
        });
        JsonNode bobNamespaces = bob.post("/store/namespaces", obj()).json().path("namespaces");
        assertThat(bobNamespaces.toString()).doesNotContain("alice-only").doesNotContain("user:");
        assertThat(bobNamespaces).contains(Json.mapper().valueToTree(List.of("prefs", "ui")));
        JsonNode aliceShallow = alice.post("/store/namespaces", obj("max_depth", 1)).json().path("namespaces");
        assertThat(aliceShallow).contains(Json.mapper().valueToTree(List.of("prefs")));
        assertThat(aliceShallow.toString()).doesNotContain("user:");

        assertThat(bob.delete("/store/items", obj("namespace", List.of("prefs", "ui"), "key", "theme")).status())
                .isEqualTo(204);
        assertThat(bob.get("/store/items?namespace=prefs.ui&key=theme").body()).isEqualTo("null");
        assertThat(alice.get("/store/items?namespace=prefs.ui&key=theme").json().path("value").path("who").asText())
                .isEqualTo("alice");
    }

    @Test
    void operationStatusInTheCoordinationNamespace_isVisibleToItsOwnerOnly() {
        String thread = threadOf(alice, Map.of());
        String run = alice.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan")).json()
                .path("run_id").asText();
        String key = "/store/items?namespace=threads." + thread + "&key=working-tool-status-update";
        JsonNode status = await().atMost(Duration.ofSeconds(10)).until(() -> alice.get(key).json(),
                n -> n.path("value").path("percent").asInt() >= 10);
        assertThat(status.path("value").path("tool").asText()).isEqualTo(TestServer.CHANGE);
        assertThat(bob.get(key).body()).isEqualTo("null");
        assertThat(anonymous.key("kb").post("/store/items/search", obj("namespace_prefix", List.of("threads"))).json()
                .path("items")).isEmpty();
        t.release();
        assertThat(alice.get("/threads/" + thread + "/runs/" + run + "/join").status()).isEqualTo(200);
    }

    @Test
    void agentRun_withAnotherUsersIdInTheBody_is403_andTheEventsOfAnotherUserToo() {
        Response posted = bob.post("/api/agent/run", obj("user_id", "alice", "task", "from bob"));
        assertThat(posted.status()).isEqualTo(403);
        assertThat(posted.code()).isEqualTo("forbidden");
        assertThat(alice.get("/api/agent/events?user_id=bob").status()).isEqualTo(403);
    }

    @Test
    void agentRun_usesTheAuthenticatedUser() throws Exception {
        try (Sse aliceEvents = alice.join("/api/agent/events")) {
            Response posted = bob.post("/api/agent/run", obj("user_id", "bob", "task", "from bob"));
            assertThat(posted.status()).isEqualTo(202);
            String bobThread = posted.json().path("thread_id").asText();
            assertThat(alice.get("/threads/" + bobThread).status()).isEqualTo(404);
            assertThat(bob.get("/threads/" + bobThread).json().path("metadata").path("owner").asText()).isEqualTo("bob");
            Response mine = alice.post("/api/agent/run", obj("task", "from alice"));
            assertThat(mine.status()).isEqualTo(202);
            Sse.Frame started = aliceEvents.untilEvent("AGENT_STARTED");
            assertThat(started.json().path("task").asText()).as("alice's channel shows only alice's runs")
                    .isEqualTo("from alice");
            aliceEvents.untilEvent("AGENT_COMPLETED");
        }
    }

    @Test
    void cors_isClosedByDefault() {
        Response r = alice.send("GET", "/threads/" + threadOf(alice, Map.of()), null, "Origin", "http://ui.example");
        assertThat(r.header("Access-Control-Allow-Origin")).isEmpty();
        Response preflight = anonymous.send("OPTIONS", "/threads", null, "Origin", "http://ui.example",
                "Access-Control-Request-Method", "POST");
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void cors_opensPerOrigin_exposingContentLocationAndPaginationTotal() {
        try (TestServer cors = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice"))
                .withCorsOrigins(List.of("http://ui.example")))) {
            Http ui = cors.http.key("ka").with("Origin", "http://ui.example");
            Response search = ui.post("/threads/search", obj());
            assertThat(search.header("Access-Control-Allow-Origin")).contains("http://ui.example");
            assertThat(search.header("Access-Control-Expose-Headers").orElseThrow().toLowerCase())
                    .contains("content-location", "x-pagination-total");
            Response preflight = cors.http.send("OPTIONS", "/threads/search", null, "Origin", "http://ui.example",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-api-key,content-type");
            assertThat(preflight.status()).isLessThan(300);
            assertThat(preflight.header("Access-Control-Allow-Origin")).contains("http://ui.example");
            assertThat(preflight.header("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
            assertThat(preflight.header("Access-Control-Allow-Headers").orElseThrow().toLowerCase())
                    .contains("x-api-key", "content-type", "last-event-id");
            // An error still carries the CORS headers, so the page can read it.
            Response unauthorized = cors.http.send("POST", "/threads/search", "{}", "Origin", "http://ui.example");
            assertThat(unauthorized.status()).isEqualTo(401);
            assertThat(unauthorized.header("Access-Control-Allow-Origin")).contains("http://ui.example");
            Response other = cors.http.key("ka").send("POST", "/threads/search", "{}", "Origin", "http://evil.example");
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.header("Access-Control-Allow-Origin")).isEmpty();
        }
    }
}

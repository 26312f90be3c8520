package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Expiry over HTTP on a real port with sign-in on and a manual clock: thread {@code ttl} on create and patch
 * (shown with {@code include=ttl}), the sweep deleting or pruning expired threads, {@code POST /threads/prune}
 * with keep_latest, store {@code refresh_ttl}, and one 422 {@code invalid_ttl} per bad ttl that changes nothing.
 */
class ExpiryHttpTest {
    private static final Instant START = ManualClock.DEFAULT_START;
    private final ManualClock clock = new ManualClock(START);
    private final TestServer t = TestServer.startWithClock(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")),
            clock);
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterEach
    void stop() {
        t.close();
    }

    private String thread(Http who, Object... body) {
        Http.Response r = who.post("/threads", obj(body));
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("thread_id").asText();
    }

    private void twoRuns(Http who, String thread) {
        assertThat(who.post("/threads/" + thread + "/runs/wait", scriptedRun("one", 1, 0)).status()).isEqualTo(200);
        assertThat(who.post("/threads/" + thread + "/runs/wait", scriptedRun("two", 1, 0)).status()).isEqualTo(200);
    }

    private long threadCount(Http who) {
        return who.post("/threads/count", obj()).json().asLong();
    }

    @Test
    void ttlOnCreate_isShownWithIncludeTtl_andTheSweepDeletesTheThreadWithItsRunsAndCheckpoints() {
        String doomed = thread(alice, "ttl", obj("strategy", "delete", "ttl", 10));
        String kept = thread(alice);
        twoRuns(alice, doomed);

        JsonNode ttl = alice.get("/threads/" + doomed + "?include=ttl").json().path("ttl");
        assertThat(ttl.path("strategy").asText()).isEqualTo("delete");
        assertThat(ttl.path("ttl").asLong()).isEqualTo(10);
        assertThat(ttl.path("expires_at").asText()).isNotBlank();
        assertThat(alice.get("/threads/" + kept + "?include=ttl").json().path("ttl").isNull()).isTrue();
        assertThat(alice.get("/threads/" + kept).json().has("ttl")).as("only when asked").isFalse();

        clock.advance(Duration.ofMinutes(9));
        assertThat(t.switchboard.expiry().sweep()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(t.switchboard.expiry().sweep()).isEqualTo(1);

        assertThat(alice.get("/threads/" + doomed).status()).isEqualTo(404);
        assertThat(alice.get("/threads/" + doomed + "/runs").status()).isEqualTo(404);
        // Its id made anew shows nothing of the old thread's runs and checkpoints.
        assertThat(alice.post("/threads", obj("thread_id", doomed)).status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + doomed + "/runs").json()).isEmpty();
        assertThat(alice.post("/threads/" + doomed + "/history", obj("limit", 100)).json()).isEmpty();
        assertThat(alice.get("/threads/" + kept).status()).isEqualTo(200);
    }

    @Test
    void copy_keepsTheSourcesTtl() {
        String source = thread(alice, "ttl", obj("strategy", "keep_latest", "ttl", 42));
        String copy = alice.post("/threads/" + source + "/copy", obj()).json().path("thread_id").asText();
        JsonNode ttl = alice.get("/threads/" + copy + "?include=ttl").json().path("ttl");
        assertThat(ttl.path("strategy").asText()).isEqualTo("keep_latest");
        assertThat(ttl.path("ttl").asLong()).isEqualTo(42);
    }

    @Test
    void keepLatestTtl_leavesTheThreadWithOnlyItsLatestCheckpointAndNoFinishedRuns() {
        String thread = thread(alice, "ttl", obj("strategy", "keep_latest", "ttl", 5));
        twoRuns(alice, thread);
        JsonNode before = alice.post("/threads/" + thread + "/history", obj("limit", 100)).json();
        assertThat(before.size()).isGreaterThan(1);
        JsonNode latestValues = alice.get("/threads/" + thread + "/state").json().path("values");

        clock.advance(Duration.ofMinutes(5));
        assertThat(t.switchboard.expiry().sweep()).isEqualTo(1);

        assertThat(alice.get("/threads/" + thread).status()).isEqualTo(200);
        JsonNode after = alice.post("/threads/" + thread + "/history", obj("limit", 100)).json();
        assertThat(after).hasSize(1);
        assertThat(after.get(0).path("checkpoint").path("checkpoint_id"))
                .isEqualTo(before.get(0).path("checkpoint").path("checkpoint_id"));
        assertThat(alice.get("/threads/" + thread + "/state").json().path("values")).isEqualTo(latestValues);
        assertThat(alice.get("/threads/" + thread + "/runs").json()).isEmpty();
        // The prune restarts the ttl: the next sweep leaves it alone.
        assertThat(t.switchboard.expiry().sweep()).isZero();
    }

    @Test
    void patchTtl_setsAndClears_andAnotherUsersThreadIs404WithNothingChanged() {
        String thread = thread(alice);
        Http.Response theirs = bob.patch("/threads/" + thread, obj("ttl", obj("ttl", 1)));
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(bob.get("/threads/" + thread + "?include=ttl").status()).isEqualTo(404);
        assertThat(alice.get("/threads/" + thread + "?include=ttl").json().path("ttl").isNull()).isTrue();

        Http.Response set = alice.patch("/threads/" + thread, obj("ttl", obj("strategy", "keep_latest", "ttl", 30),
                "metadata", obj("topic", "roaming")));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().path("metadata").path("topic").asText()).isEqualTo("roaming");
        JsonNode ttl = alice.get("/threads/" + thread + "?include=ttl").json().path("ttl");
        assertThat(ttl.path("strategy").asText()).isEqualTo("keep_latest");
        assertThat(ttl.path("ttl").asLong()).isEqualTo(30);

        // A patch without ttl keeps it; an explicit null clears it.
        alice.patch("/threads/" + thread, obj("metadata", obj("n", 1)));
        assertThat(alice.get("/threads/" + thread + "?include=ttl").json().path("ttl").path("ttl").asLong())
                .isEqualTo(30);
        com.fasterxml.jackson.databind.node.ObjectNode clear = obj();
        clear.putNull("ttl");
        assertThat(alice.patch("/threads/" + thread, clear).status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + thread + "?include=ttl").json().path("ttl").isNull()).isTrue();
        clock.advance(Duration.ofDays(400));
        assertThat(t.switchboard.expiry().sweep()).isZero();
        assertThat(alice.get("/threads/" + thread).status()).isEqualTo(200);
    }

    @Test
    void pruneKeepLatest_prunesTheCallersThreads_andSkipsOthers() {
        String mine = thread(alice);
        twoRuns(alice, mine);
        String theirs = thread(bob);
        twoRuns(bob, theirs);
        int theirHistory = bob.post("/threads/" + theirs + "/history", obj("limit", 100)).json().size();

        Http.Response r = alice.post("/threads/prune", obj("thread_ids", List.of(mine, theirs), "strategy",
                "keep_latest"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("pruned_count").asInt()).isEqualTo(1);

        assertThat(alice.post("/threads/" + mine + "/history", obj("limit", 100)).json()).hasSize(1);
        assertThat(alice.get("/threads/" + mine + "/runs").json()).isEmpty();
        assertThat(bob.post("/threads/" + theirs + "/history", obj("limit", 100)).json()).hasSize(theirHistory);
        assertThat(bob.get("/threads/" + theirs + "/runs").json()).hasSize(2);
    }

    @Test
    void pruneKeepLatest_ofAThreadWithARunInFlight_is409_andPrunesNothing() {
        String idle = thread(alice);
        twoRuns(alice, idle);
        String busy = thread(alice);
        twoRuns(alice, busy);
        com.fasterxml.jackson.databind.node.ObjectNode slow = scriptedRun("use the tool", 1, 0);
        Http.configurable(slow).put("tool_sleep_ms", 60_000);
        String run = alice.post("/threads/" + busy + "/runs", slow).json().path("run_id").asText();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alice.get("/threads/" + busy
                + "/runs/" + run).json().path("status").asText().equals("running"));
        int idleHistory = alice.post("/threads/" + idle + "/history", obj("limit", 100)).json().size();

        Http.Response r = alice.post("/threads/prune", obj("thread_ids", List.of(idle, busy), "strategy",
                "keep_latest"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("thread_busy");
        assertThat(alice.post("/threads/" + idle + "/history", obj("limit", 100)).json()).hasSize(idleHistory);
        assertThat(alice.get("/threads/" + idle + "/runs").json()).hasSize(2);
        alice.post("/threads/" + busy + "/runs/" + run + "/cancel", obj());
    }

    @Test
    void refreshTtl_onGetAndSearch_pushesTheItemsExpiryBackByItsOwnTtl() {
        assertThat(alice.put("/store/items", obj("namespace", List.of("notes"), "key", "k", "value", obj("v", 1),
                "ttl", 10)).status()).isEqualTo(204);

        clock.advance(Duration.ofMinutes(9));
        assertThat(alice.get("/store/items?namespace=notes&key=k&refresh_ttl=true").json().path("value").path("v")
                .asInt()).isEqualTo(1);
        // Another user reads the same namespace and key: their own (empty) namespace, nothing of alice's refreshed.
        assertThat(bob.get("/store/items?namespace=notes&key=k&refresh_ttl=true").json().isNull()).isTrue();
        clock.advance(Duration.ofMinutes(9));
        JsonNode found = alice.post("/store/items/search", obj("namespace_prefix", List.of("notes"), "refresh_ttl",
                true)).json().path("items");
        assertThat(found).hasSize(1);
        clock.advance(Duration.ofMinutes(9));
        assertThat(alice.get("/store/items?namespace=notes&key=k&refresh_ttl=false").json().isNull())
                .as("27 min: refreshed at 18").isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(alice.get("/store/items?namespace=notes&key=k&refresh_ttl=false").json().isNull())
                .as("28 min: expired").isTrue();
        assertThat(alice.post("/store/items/search", obj("namespace_prefix", List.of("notes"))).json().path("items"))
                .isEmpty();
    }

    @Test
    void readsWithoutRefreshTtl_refreshByDefault_asTheAgentServersRefreshOnRead() {
        alice.put("/store/items", obj("namespace", List.of("memo"), "key", "k", "value", obj(), "ttl", 10));
        clock.advance(Duration.ofMinutes(9));
        assertThat(alice.get("/store/items?namespace=memo&key=k").json().isNull()).isFalse();
        clock.advance(Duration.ofMinutes(9));
        assertThat(alice.post("/store/items/search", obj("namespace_prefix", List.of("memo"), "refresh_ttl", false))
                .json().path("items")).as("18 min: refreshed by the read at 9").hasSize(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(alice.post("/store/items/search", obj("namespace_prefix", List.of("memo"), "refresh_ttl", false))
                .json().path("items")).as("19 min: the read at 9 gave it until 19").isEmpty();
    }

    @Test
    void badTtl_is422InvalidTtl_andChangesNothing() {
        String thread = thread(alice, "ttl", obj("ttl", 60));
        long before = threadCount(alice);
        List<Object> bad = List.of("60", List.of(60), true, -5, 0, 525_601, obj("ttl", -1), obj("ttl", "60"),
                obj("strategy", "burn", "ttl", 5), obj("strategy", 7, "ttl", 5), obj("strategy", "delete"),
                obj("ttl", 5, "extra", 1));
        for (Object ttl : bad) {
            Http.Response create = alice.post("/threads", obj("ttl", ttl));
            assertThat(create.status()).as("create with ttl %s", ttl).isEqualTo(422);
            assertThat(create.code()).as("create with ttl %s", ttl).isEqualTo("invalid_ttl");
            Http.Response patch = alice.patch("/threads/" + thread, obj("ttl", ttl, "metadata", obj("changed", true)));
            assertThat(patch.status()).as("patch with ttl %s", ttl).isEqualTo(422);
            assertThat(patch.code()).as("patch with ttl %s", ttl).isEqualTo("invalid_ttl");
        }
        assertThat(threadCount(alice)).isEqualTo(before);
        JsonNode after = alice.get("/threads/" + thread + "?include=ttl").json();
        assertThat(after.path("metadata").has("changed")).isFalse();
        assertThat(after.path("ttl").path("ttl").asLong()).isEqualTo(60);
        assertThat(alice.get("/threads/" + thread + "?include=nonsense").code()).isEqualTo("invalid_field");
        assertThat(alice.get("/store/items?namespace=a&key=b&refresh_ttl=maybe").status()).isEqualTo(422);
        assertThat(alice.post("/store/items/search", obj("refresh_ttl", "yes")).status()).isEqualTo(422);
        assertThat(alice.post("/threads/prune", obj("thread_ids", List.of(thread), "strategy", "keep_oldest"))
                .status()).isEqualTo(422);
    }

    @Test
    void info_saysExpiryIsSupported() {
        JsonNode supports = alice.get("/info").json().path("supports");
        assertThat(supports.path("thread_ttl").asBoolean()).isTrue();
        assertThat(supports.path("store_refresh_ttl").asBoolean()).isTrue();
        assertThat(supports.path("threads_prune").toString()).isEqualTo("[\"delete\",\"keep_latest\"]");
    }
}

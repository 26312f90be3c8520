package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.auth.ApiKeys;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /runs/batch} and {@code POST /runs/cancel}, {@code PATCH /threads/{id}/state}, {@code select} and
 * {@code extract} on searches, and the 422 for each run field Switchboard does not implement.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkRunsHttpTest {
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")));
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterAll
    void stop() {
        t.close();
    }

    /** A run whose tool sleeps for a minute: it stays running until cancelled. */
    private static ObjectNode slowRun() {
        ObjectNode body = scriptedRun("use the tool", 1, 0);
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        return body;
    }

    private static String threadOf(Http who) {
        return who.post("/threads", obj()).json().path("thread_id").asText();
    }

    private static String status(Http who, String thread, String run) {
        return who.get("/threads/" + thread + "/runs/" + run).json().path("status").asText();
    }

    private static void awaitStatus(Http who, String thread, String run, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status(who, thread, run).equals(status));
    }

    private static long threadCount(Http who) {
        return who.post("/threads/count", obj()).json().asLong();
    }

    @Test
    void batch_startsEveryRun_andAnswersThemInOrder() {
        ArrayNode batch = Json.array();
        batch.add(scriptedRun("first", 2, 0));
        // As the JavaScript SDK's createBatch sends it: assistantId beside assistant_id.
        batch.add(scriptedRun("second", 2, 0, "metadata", obj("n", 2), "assistantId", "scripted"));
        Http.Response r = alice.post("/runs/batch", batch);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).hasSize(2);
        assertThat(r.json().get(1).path("metadata").path("n").asInt()).isEqualTo(2);
        for (JsonNode run : r.json()) {
            assertThat(run.path("run_id").asText()).isNotBlank();
            assertThat(run.path("thread_id").asText()).isNotBlank();
        }
        assertThat(r.json().get(0).path("thread_id")).isNotEqualTo(r.json().get(1).path("thread_id"));
    }

    @Test
    void batch_withOneBadItem_isRefusedWithItsIndex_andStartsNothing() {
        long threadsBefore = threadCount(alice);
        ArrayNode batch = Json.array();
        batch.add(scriptedRun("fine", 2, 0, "metadata", obj("batch", "refused")));
        batch.add(scriptedRun("bad", 2, 0, "stream_mode", List.of("nonsense")));
        Http.Response r = alice.post("/runs/batch", batch);
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.code()).isEqualTo("invalid_stream_mode");
        assertThat(r.json().path("detail").asText() + r.json().path("message").asText()).contains("runs[1]");
        assertThat(threadCount(alice)).isEqualTo(threadsBefore);

        ArrayNode unknownAssistant = Json.array();
        unknownAssistant.add(scriptedRun("fine", 2, 0));
        ObjectNode bad = scriptedRun("fine", 2, 0);
        bad.put("assistant_id", "no-such-assistant");
        unknownAssistant.add(bad);
        Http.Response notFound = alice.post("/runs/batch", unknownAssistant);
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.body()).contains("runs[1]");
        assertThat(threadCount(alice)).isEqualTo(threadsBefore);
    }

    @Test
    void batch_withAssistantIdDifferingFromAssistant_id_isRefused() {
        ArrayNode batch = Json.array();
        batch.add(scriptedRun("x", 1, 0, "assistantId", "lanes"));
        assertThat(alice.post("/runs/batch", batch).code()).isEqualTo("invalid_field");
    }

    @Test
    void batch_thatIsNotAListOfObjects_is4xx() {
        assertThat(alice.post("/runs/batch", obj("assistant_id", "scripted")).code()).isEqualTo("invalid_body");
        assertThat(alice.post("/runs/batch", Json.array()).status()).isEqualTo(400);
        ArrayNode notObjects = Json.array();
        notObjects.add(1);
        assertThat(alice.post("/runs/batch", notObjects).code()).isEqualTo("invalid_body");
    }

    @Test
    void cancelMany_byRunIds_interruptsThem_andAnUnknownIdCancelsNothing() {
        String thread = threadOf(alice);
        String run = alice.post("/threads/" + thread + "/runs", slowRun()).json().path("run_id").asText();
        awaitStatus(alice, thread, run, "running");

        Http.Response unknown = alice.post("/runs/cancel", obj("run_ids", List.of(run,
                "00000000-0000-4000-8000-000000000000")));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(status(alice, thread, run)).isEqualTo("running");

        assertThat(bob.post("/runs/cancel", obj("run_ids", List.of(run))).status())
                .as("another user's run is answered as missing").isEqualTo(404);
        assertThat(status(alice, thread, run)).isEqualTo("running");

        assertThat(alice.post("/runs/cancel", obj("thread_id", thread, "run_ids", List.of(run))).status())
                .isEqualTo(204);
        awaitStatus(alice, thread, run, "interrupted");
    }

    @Test
    void cancelMany_byThread_cancelsItsActiveRuns_withRollbackDeletingThem() {
        String thread = threadOf(alice);
        String running = alice.post("/threads/" + thread + "/runs", slowRun()).json().path("run_id").asText();
        awaitStatus(alice, thread, running, "running");
        String pending = alice.post("/threads/" + thread + "/runs", slowRun()).json().path("run_id").asText();
        assertThat(status(alice, thread, pending)).isEqualTo("pending");

        assertThat(alice.post("/runs/cancel?action=rollback", obj("thread_id", thread)).status()).isEqualTo(204);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alice.get("/threads/" + thread + "/runs")
                .json().isEmpty());
    }

    @Test
    void cancelMany_byStatus_cancelsOnlyTheCallersRunsOfThatStatus() {
        String mine = threadOf(alice);
        String theirs = threadOf(bob);
        String myRun = alice.post("/threads/" + mine + "/runs", slowRun()).json().path("run_id").asText();
        String theirRun = bob.post("/threads/" + theirs + "/runs", slowRun()).json().path("run_id").asText();
        awaitStatus(alice, mine, myRun, "running");
        awaitStatus(bob, theirs, theirRun, "running");

        assertThat(alice.post("/runs/cancel", obj("status", "pending")).status()).isEqualTo(204);
        assertThat(status(alice, mine, myRun)).isEqualTo("running");

        assertThat(alice.post("/runs/cancel", obj("status", "running")).status()).isEqualTo(204);
        awaitStatus(alice, mine, myRun, "interrupted");
        assertThat(status(bob, theirs, theirRun)).isEqualTo("running");
        assertThat(bob.post("/runs/cancel", obj("status", "all")).status()).isEqualTo(204);
        awaitStatus(bob, theirs, theirRun, "interrupted");
    }

    @Test
    void cancelMany_badRequests_are4xxWithACode() {
        assertThat(alice.post("/runs/cancel", obj()).code()).isEqualTo("missing_field");
        assertThat(alice.post("/runs/cancel", obj("status", "sleeping")).status()).isEqualTo(422);
        assertThat(alice.post("/runs/cancel", obj("run_ids", List.of("not-a-uuid"))).status()).isEqualTo(422);
        assertThat(alice.post("/runs/cancel?action=explode", obj("status", "all")).code()).isEqualTo("invalid_action");
        assertThat(alice.post("/runs/cancel", obj("status", "all", "run_ids",
                List.of("00000000-0000-4000-8000-000000000000"))).status()).isEqualTo(422);
    }

    @Test
    void patchState_mergesMetadataIntoTheLatestCheckpoint_keepingItsValues() {
        String thread = threadOf(alice);
        assertThat(alice.patch("/threads/" + thread + "/state", obj("metadata", obj("k", "v"))).code())
                .isEqualTo("no_state");
        alice.post("/threads/" + thread + "/runs/wait", scriptedRun("hello", 2, 0));
        JsonNode before = alice.get("/threads/" + thread + "/state").json();

        assertThat(alice.patch("/threads/" + thread + "/state", obj("metadata", obj("reviewed", true))).status())
                .isEqualTo(204);
        JsonNode after = alice.get("/threads/" + thread + "/state").json();
        assertThat(after.path("metadata").path("reviewed").asBoolean()).isTrue();
        assertThat(after.path("values")).isEqualTo(before.path("values"));
        assertThat(after.path("checkpoint")).isEqualTo(before.path("checkpoint"));
        assertThat(bob.patch("/threads/" + thread + "/state", obj("metadata", obj("x", 1))).status()).isEqualTo(404);
        assertThat(alice.patch("/threads/" + thread + "/state", obj("values", obj())).code()).isEqualTo("unknown_field");
    }

    @Test
    void threadSearch_selectAndExtract_answerOnlyWhatWasAsked() {
        String thread = threadOf(alice);
        alice.patch("/threads/" + thread, obj("metadata", obj("tag", "select-test")));
        alice.post("/threads/" + thread + "/runs/wait", scriptedRun("pick me", 2, 0));
        ObjectNode search = obj("metadata", obj("tag", "select-test"), "select", List.of("thread_id", "status"),
                "extract", obj("last", "values.messages[-1].type", "first", "values.messages[0].content",
                        "missing", "values.nothing[3]"));
        JsonNode found = alice.post("/threads/search", search).json();
        assertThat(found).hasSize(1);
        JsonNode one = found.get(0);
        assertThat(one.fieldNames()).toIterable().containsExactlyInAnyOrder("thread_id", "status", "extracted");
        assertThat(one.path("extracted").path("last").asText()).isEqualTo("ai");
        assertThat(one.path("extracted").path("first").asText()).isEqualTo("pick me");
        assertThat(one.path("extracted").path("missing").isNull()).isTrue();

        assertThat(alice.post("/threads/search", obj("select", List.of("nope"))).code()).isEqualTo("invalid_select");
        assertThat(alice.post("/threads/search", obj("extract", obj("x", "nowhere.y"))).status()).isEqualTo(422);
        assertThat(alice.post("/threads/search", obj("extract", obj("x", "values..y"))).status()).isEqualTo(422);
    }

    @Test
    void runListAndAssistantSearch_select() {
        String thread = threadOf(alice);
        alice.post("/threads/" + thread + "/runs/wait", scriptedRun("hi", 1, 0));
        JsonNode runs = alice.get("/threads/" + thread + "/runs?select=run_id&select=status").json();
        assertThat(runs.get(0).fieldNames()).toIterable().containsExactlyInAnyOrder("run_id", "status");
        assertThat(alice.get("/threads/" + thread + "/runs?select=secret").code()).isEqualTo("invalid_select");

        JsonNode assistants = alice.post("/assistants/search", obj("select", List.of("assistant_id"))).json();
        assertThat(assistants).isNotEmpty();
        assertThat(assistants.get(0).fieldNames()).toIterable().containsExactly("assistant_id");
        assertThat(alice.post("/assistants/search", obj("select", List.of("x"))).code()).isEqualTo("invalid_select");
    }

    @Test
    void runCreate_withAFieldSwitchboardDoesNotImplement_is422NamingIt_andCreatesNothing() {
        String thread = threadOf(alice);
        for (String field : List.of("feedback_keys", "durability", "checkpoint_during", "langsmith_tracer")) {
            Object value = switch (field) {
                case "feedback_keys" -> List.of("score");
                case "durability" -> "sync";
                case "checkpoint_during" -> true;
                default -> obj("project_name", "x");
            };
            Http.Response r = alice.post("/threads/" + thread + "/runs", scriptedRun("x", 1, 0, field, value));
            assertThat(r.status()).as(field).isEqualTo(422);
            assertThat(r.code()).isEqualTo("unsupported_field");
            assertThat(r.body()).contains(field);
        }
        for (String mode : List.of("tools")) {
            Http.Response r = alice.post("/threads/" + thread + "/runs", scriptedRun("x", 1, 0, "stream_mode",
                    List.of(mode)));
            assertThat(r.code()).isEqualTo("unsupported_stream_mode");
            assertThat(r.body()).contains(mode);
        }
        assertThat(alice.post("/runs", scriptedRun("x", 1, 0, "thread_id", thread)).code())
                .isEqualTo("unsupported_field");
        assertThat(alice.get("/threads/" + thread + "/runs").json()).isEmpty();
    }

    @Test
    void prune_deletesTheCallersNamedThreads_skipsOthers_andRefusesBadIds() {
        String mine = threadOf(alice);
        alice.post("/threads/" + mine + "/runs/wait", scriptedRun("hi", 1, 0));
        String theirs = threadOf(bob);
        Http.Response r = alice.post("/threads/prune", obj("thread_ids", List.of(mine, theirs,
                "00000000-0000-4000-8000-000000000000")));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("pruned_count").asInt()).isEqualTo(1);
        assertThat(alice.get("/threads/" + mine).status()).isEqualTo(404);
        assertThat(bob.get("/threads/" + theirs).status()).isEqualTo(200);

        assertThat(alice.post("/threads/prune", obj("thread_ids", List.of())).status()).isEqualTo(422);
        assertThat(alice.post("/threads/prune", obj("thread_ids", List.of("x"))).status()).isEqualTo(422);
        assertThat(alice.post("/threads/prune", obj("thread_ids", List.of(theirs), "strategy", "burn")).status())
                .isEqualTo(422);
    }

    @Test
    void prune_ofAThreadWithAnOperationInFlight_is409_andPrunesNothing() {
        String busy = threadOf(alice);
        String idle = threadOf(alice);
        alice.post("/threads/" + busy + "/runs", TestServer.lanesRun("change my plan"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alice.get("/threads/" + busy + "/operations")
                .json().size() == 1);
        Http.Response r = alice.post("/threads/prune", obj("thread_ids", List.of(idle, busy)));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("operation_in_flight");
        assertThat(alice.get("/threads/" + idle).status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + busy).status()).isEqualTo(200);
    }
}

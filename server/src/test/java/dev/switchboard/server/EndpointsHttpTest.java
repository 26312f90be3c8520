package dev.switchboard.server;

import static dev.switchboard.server.Http.humanInput;
import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.Http.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every Agent Protocol endpoint and extension, through a real HTTP client on a real port (AGENT-PROTOCOL.md §2–§9). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointsHttpTest {
    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    private String runToEnd(String threadId, String text) {
        Response wait = http.post("/threads/" + threadId + "/runs/wait", scriptedRun(text, 3, 0));
        assertThat(wait.status()).isEqualTo(200);
        return wait.header("Content-Location").orElseThrow().replaceAll(".*/runs/", "");
    }

    private static List<String> messageContents(JsonNode values) {
        return Http.texts(values.path("messages"), "content");
    }

    // ---- meta ---------------------------------------------------------------------------------------

    @Test
    void ok_info_openapi_answerJson() {
        assertThat(http.get("/ok").json()).isEqualTo(obj("ok", true));
        JsonNode info = http.get("/info").json();
        assertThat(info.path("version").isTextual()).isTrue();
        assertThat(info.path("flags").path("assistants").asBoolean()).isTrue();
        assertThat(info.path("metadata").path("graphs").asText()).contains("scripted", "lanes");
        Response openapi = http.get("/openapi.json");
        assertThat(openapi.status()).isEqualTo(200);
        assertThat(openapi.header("content-type").orElseThrow()).startsWith("application/json");
        JsonNode schema = openapi.json();
        assertThat(schema.path("openapi").asText()).startsWith("3.");
        assertThat(schema.path("paths").isObject()).isTrue();
    }

    @Test
    void metrics_afterARun_countsItInPrometheusText() {
        runToEnd(t.newThread(), "count me");
        Response metrics = http.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body()).contains("switchboard_runs_admitted_total{").contains("switchboard_runs_ended_total{")
                .contains("# TYPE switchboard_runs_admitted_total counter");
    }

    @Test
    void unknownRoute_is404Json() {
        Response r = http.get("/no/such/route");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
    }

    // ---- assistants -------------------------------------------------------------------------------------

    @Test
    void assistants_searchGetCountSchemasGraph() {
        Response search = http.post("/assistants/search", obj());
        assertThat(search.status()).isEqualTo(200);
        assertThat(Http.texts(search.json(), "graph_id")).containsExactlyInAnyOrder("scripted", "lanes");
        assertThat(search.header("X-Pagination-Total")).contains("2");
        JsonNode scripted = http.post("/assistants/search", obj("graph_id", "scripted")).json();
        assertThat(scripted).hasSize(1);
        String id = scripted.get(0).path("assistant_id").asText();
        assertThat(scripted.get(0).path("metadata").path("created_by").asText()).isEqualTo("system");
        assertThat(http.post("/assistants/search", obj("limit", 1, "offset", 1)).json()).hasSize(1);

        assertThat(http.get("/assistants/" + id).json().path("graph_id").asText()).isEqualTo("scripted");
        assertThat(http.get("/assistants/scripted").json().path("assistant_id").asText()).isEqualTo(id);
        assertThat(http.post("/assistants/count", obj()).json().asInt()).isEqualTo(2);
        assertThat(http.post("/assistants/count", obj("graph_id", "lanes")).json().asInt()).isEqualTo(1);

        JsonNode schemas = http.get("/assistants/" + id + "/schemas").json();
        assertThat(schemas.path("graph_id").asText()).isEqualTo("scripted");
        assertThat(schemas.has("input_schema") && schemas.has("output_schema") && schemas.has("state_schema")
                && schemas.has("config_schema") && schemas.has("context_schema")).isTrue();
        JsonNode graph = http.get("/assistants/scripted/graph").json();
        assertThat(Http.texts(graph.path("nodes"), "id")).contains("__start__", "agent", "tools", "__end__");
        assertThat(graph.path("edges").size()).isPositive();
        assertThat(graph.toString()).as("the real tools, with how they run").contains("\"name\":\"slow_tool\"");
        assertThat(schemas.path("state_schema").path("properties").has("interim_messages")).isTrue();
        assertThat(schemas.path("config_schema").path("properties").has("namespace_for_memory")).isTrue();
        assertThat(http.get("/assistants/scripted/subgraphs").json().toString()).isEqualTo("{}");
        assertThat(http.get("/assistants/nosuchgraph/subgraphs").status()).isEqualTo(404);

        assertThat(Http.texts(http.post("/assistants/search", obj("sort_by", "graph_id", "sort_order", "asc")).json(),
                "graph_id")).containsExactly("lanes", "scripted");
        assertThat(Http.texts(http.post("/assistants/search", obj("sort_by", "graph_id")).json(), "graph_id"))
                .as("sort_order defaults to desc, as in the Agent Server").containsExactly("scripted", "lanes");
        JsonNode selected = http.post("/assistants/search", Json.parse(
                "{\"select\": [\"assistant_id\", \"name\"], \"graph_id\": \"lanes\"}")).json();
        assertThat(selected).hasSize(1);
        assertThat(Json.mapper().convertValue(selected.get(0), java.util.Map.class).keySet())
                .containsExactlyInAnyOrder("assistant_id", "name");
        assertThat(http.post("/assistants/search", obj("sort_by", "colour")).code()).isEqualTo("invalid_field");
        assertThat(http.post("/assistants/search", Json.parse("{\"select\": [\"secrets\"]}")).code())
                .isEqualTo("invalid_select");

        assertThat(http.get("/assistants/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(http.get("/assistants/nosuchgraph/schemas").status()).isEqualTo(404);
        assertThat(http.get("/assistants/nosuchgraph/graph").status()).isEqualTo(404);
    }

    // ---- threads ------------------------------------------------------------------------------------

    @Test
    void createThread_withExistingId_raisesConflictOrReturnsTheExistingOne() {
        String id = UUID.randomUUID().toString();
        Response created = http.post("/threads", obj("thread_id", id, "metadata", Map.of("v", 1)));
        assertThat(created.status()).isEqualTo(200);
        JsonNode thread = created.json();
        assertThat(thread.path("thread_id").asText()).isEqualTo(id);
        assertThat(thread.path("status").asText()).isEqualTo("idle");
        assertThat(thread.path("values").isNull()).isTrue();
        assertThat(thread.has("created_at") && thread.has("updated_at") && thread.has("config")
                && thread.has("interrupts")).isTrue();

        Response again = http.post("/threads", obj("thread_id", id, "metadata", Map.of("v", 2)));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("thread_exists");
        Response raise = http.post("/threads", obj("thread_id", id, "if_exists", "raise"));
        assertThat(raise.status()).isEqualTo(409);

        Response nothing = http.post("/threads", obj("thread_id", id, "if_exists", "do_nothing", "metadata",
                Map.of("v", 3)));
        assertThat(nothing.status()).isEqualTo(200);
        assertThat(nothing.json().path("metadata").path("v").asInt()).isEqualTo(1);
        assertThat(http.get("/threads/" + id).json().path("metadata").path("v").asInt()).isEqualTo(1);
    }

    @Test
    void createThread_withoutId_mintsAUuid() {
        JsonNode thread = http.post("/threads", null).json();
        assertThat(UUID.fromString(thread.path("thread_id").asText())).isNotNull();
        assertThat(thread.path("metadata").isObject()).isTrue();
    }

    @Test
    void patchThread_mergesMetadata() {
        String id = http.post("/threads", obj("metadata", Map.of("a", 1, "b", "x"))).json().path("thread_id").asText();
        JsonNode patched = http.patch("/threads/" + id, obj("metadata", Map.of("b", "y", "c", true))).json();
        assertThat(patched.path("metadata")).isEqualTo(obj("a", 1, "b", "y", "c", true));
        assertThat(http.get("/threads/" + id).json().path("metadata")).isEqualTo(obj("a", 1, "b", "y", "c", true));
    }

    @Test
    void deleteThread_answers204_thenTheThreadAndItsRunsAre404() {
        String id = t.newThread();
        String run = runToEnd(id, "hello");
        Response deleted = http.delete("/threads/" + id);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(http.get("/threads/" + id).status()).isEqualTo(404);
        assertThat(http.get("/threads/" + id).code()).isEqualTo("not_found");
        assertThat(http.get("/threads/" + id + "/runs/" + run).status()).isEqualTo(404);
        assertThat(http.get("/threads/" + id + "/state").status()).isEqualTo(404);
        assertThat(http.delete("/threads/" + id).status()).isEqualTo(404);
    }

    @Test
    void searchThreads_filtersByMetadataAndStatus_pagesWithTotal() {
        String tag = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(http.post("/threads", obj("metadata", Map.of("tag", tag, "i", i))).json().path("thread_id").asText());
        }
        http.post("/threads", obj("metadata", Map.of("tag", "other")));

        Response all = http.post("/threads/search", obj("metadata", Map.of("tag", tag)));
        assertThat(all.status()).isEqualTo(200);
        assertThat(Http.texts(all.json(), "thread_id")).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(all.header("X-Pagination-Total")).contains("5");

        Response page = http.post("/threads/search", obj("metadata", Map.of("tag", tag), "limit", 2, "offset", 1,
                "sort_by", "created_at", "sort_order", "asc"));
        assertThat(Http.texts(page.json(), "thread_id")).containsExactly(ids.get(1), ids.get(2));
        assertThat(page.header("X-Pagination-Total")).contains("5");
        assertThat(page.header("X-Pagination-Next")).contains("3");
        Response last = http.post("/threads/search", obj("metadata", Map.of("tag", tag), "limit", 2, "offset", 4));
        assertThat(last.json()).hasSize(1);
        assertThat(last.header("X-Pagination-Next")).isEmpty();

        assertThat(http.post("/threads/search", obj("metadata", Map.of("tag", tag, "i", 3))).json())
                .extracting(n -> n.path("thread_id").asText()).containsExactly(ids.get(3));

        runToEnd(ids.get(0), "make me not new");
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/threads/" + ids.get(0)).json().path("status")
                .asText().equals("idle"));
        assertThat(http.post("/threads/search", obj("metadata", Map.of("tag", tag), "status", "idle")).json())
                .hasSize(5);
        assertThat(http.post("/threads/search", obj("metadata", Map.of("tag", tag), "status", "busy")).json())
                .isEmpty();
        assertThat(http.post("/threads/search", obj("ids", List.of(ids.get(2), ids.get(4)))).json())
                .extracting(n -> n.path("thread_id").asText()).containsExactlyInAnyOrder(ids.get(2), ids.get(4));
    }

    @Test
    void countThreads_countsByMetadataAndStatus() {
        String tag = UUID.randomUUID().toString();
        for (int i = 0; i < 3; i++) {
            http.post("/threads", obj("metadata", Map.of("tag", tag)));
        }
        Response count = http.post("/threads/count", obj("metadata", Map.of("tag", tag)));
        assertThat(count.status()).isEqualTo(200);
        assertThat(count.json().asInt()).isEqualTo(3);
        assertThat(http.post("/threads/count", obj("metadata", Map.of("tag", tag), "status", "busy")).json().asInt())
                .isZero();
    }

    @Test
    void copyThread_makesANewThreadWithTheSameCheckpoints() {
        String id = http.post("/threads", obj("metadata", Map.of("k", "v"))).json().path("thread_id").asText();
        runToEnd(id, "copy me");
        JsonNode copy = http.post("/threads/" + id + "/copy", null).json();
        String copyId = copy.path("thread_id").asText();
        assertThat(copyId).isNotEqualTo(id);
        assertThat(copy.path("metadata").path("k").asText()).isEqualTo("v");
        assertThat(copy.path("metadata").path("thread_id").asText()).isEqualTo(copyId);
        List<String> original = checkpointIds(http.get("/threads/" + id + "/history?limit=100").json());
        List<String> copied = checkpointIds(http.get("/threads/" + copyId + "/history?limit=100").json());
        assertThat(copied).isNotEmpty().isEqualTo(original);
        assertThat(http.get("/threads/" + copyId + "/state").json().path("values"))
                .isEqualTo(http.get("/threads/" + id + "/state").json().path("values"));
        assertThat(http.post("/threads/" + UUID.randomUUID() + "/copy", null).status()).isEqualTo(404);
    }

    private static List<String> checkpointIds(JsonNode history) {
        List<String> out = new ArrayList<>();
        history.forEach(s -> out.add(s.path("checkpoint").path("checkpoint_id").asText()));
        return out;
    }

    @Test
    void state_ofANewThread_isEmpty_andAfterARunHoldsTheExchange() {
        String id = t.newThread();
        JsonNode empty = http.get("/threads/" + id + "/state").json();
        assertThat(empty.path("values")).isEqualTo(Json.object());
        assertThat(empty.path("checkpoint").isNull()).isTrue();
        assertThat(empty.path("next")).isEmpty();

        runToEnd(id, "hello");
        JsonNode state = http.get("/threads/" + id + "/state").json();
        assertThat(messageContents(state.path("values"))).containsExactly("hello", "reply to \"hello\": t1 t2");
        assertThat(state.path("checkpoint").path("thread_id").asText()).isEqualTo(id);
        assertThat(state.path("next")).isEmpty();
        assertThat(state.path("metadata").path("run_id").isTextual()
                || state.path("metadata").has("source")).isTrue();
        assertThat(http.get("/threads/" + id).json().path("values")).isEqualTo(state.path("values"));
    }

    @Test
    void stateAtCheckpoint_byPathAndByPost_showsThatCheckpoint() {
        String id = t.newThread();
        runToEnd(id, "first");
        String first = http.get("/threads/" + id + "/state").json().path("checkpoint").path("checkpoint_id").asText();
        runToEnd(id, "second");
        JsonNode atFirst = http.get("/threads/" + id + "/state/" + first).json();
        assertThat(messageContents(atFirst.path("values"))).containsExactly("first", "reply to \"first\": t1 t2");
        assertThat(atFirst.path("checkpoint").path("checkpoint_id").asText()).isEqualTo(first);
        JsonNode posted = http.post("/threads/" + id + "/state/checkpoint",
                obj("checkpoint", Map.of("checkpoint_id", first))).json();
        assertThat(posted.path("values")).isEqualTo(atFirst.path("values"));
        assertThat(messageContents(http.get("/threads/" + id + "/state").json().path("values"))).hasSize(4);
        assertThat(http.get("/threads/" + id + "/state/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void postState_appendsMessagesAndReplacesOtherKeys_asANewCheckpoint() {
        String id = t.newThread();
        runToEnd(id, "hello");
        ObjectNode values = Json.object();
        values.putArray("messages").addObject().put("type", "ai").put("content", "an edit");
        values.put("mood", "calm");
        Response update = http.post("/threads/" + id + "/state", obj("values", values, "as_node", "agent"));
        assertThat(update.status()).isEqualTo(200);
        String written = update.json().path("checkpoint").path("checkpoint_id").asText();
        assertThat(update.json().path("checkpoint").path("thread_id").asText()).isEqualTo(id);
        JsonNode state = http.get("/threads/" + id + "/state").json();
        assertThat(state.path("checkpoint").path("checkpoint_id").asText()).isEqualTo(written);
        assertThat(messageContents(state.path("values"))).containsExactly("hello", "reply to \"hello\": t1 t2",
                "an edit");
        assertThat(state.path("values").path("mood").asText()).isEqualTo("calm");
        assertThat(state.path("metadata").path("source").asText()).isEqualTo("update");
    }

    @Test
    void postState_whileARunIsActive_isThreadBusy() throws Exception {
        String id = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 1, 0);
        Http.configurable(body).put("tool_sleep_ms", 60_000);
        JsonNode run = http.post("/threads/" + id + "/runs", body).json();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/threads/" + id).json().path("status").asText()
                .equals("busy"));
        Response busy = http.post("/threads/" + id + "/state", obj("values", Map.of("x", 1)));
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.code()).isEqualTo("thread_busy");
        http.post("/threads/" + id + "/runs/" + run.path("run_id").asText() + "/cancel?wait=1", null);
    }

    @Test
    void history_getAndPost_newestFirst_withLimitAndBefore() {
        String id = t.newThread();
        runToEnd(id, "one");
        runToEnd(id, "two");
        JsonNode all = http.get("/threads/" + id + "/history?limit=100").json();
        assertThat(all.size()).isGreaterThanOrEqualTo(4);
        List<String> ids = checkpointIds(all);
        assertThat(messageContents(all.get(0).path("values"))).hasSize(4);
        for (int i = 0; i + 1 < all.size(); i++) {
            assertThat(all.get(i).path("parent_checkpoint").path("checkpoint_id").asText())
                    .as("newest first: each state's parent is the next one").isEqualTo(ids.get(i + 1));
        }
        assertThat(checkpointIds(http.get("/threads/" + id + "/history?limit=2").json()))
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(checkpointIds(http.get("/threads/" + id + "/history?limit=2&before=" + ids.get(1)).json()))
                .containsExactly(ids.get(2), ids.get(3));
        assertThat(checkpointIds(http.get("/threads/" + id + "/history").json())).isEqualTo(
                ids.subList(0, Math.min(10, ids.size())));

        assertThat(checkpointIds(http.post("/threads/" + id + "/history", obj("limit", 1)).json()))
                .containsExactly(ids.get(0));
        assertThat(checkpointIds(http.post("/threads/" + id + "/history",
                obj("limit", 2, "before", Map.of("checkpoint_id", ids.get(0)))).json()))
                .containsExactly(ids.get(1), ids.get(2));
        assertThat(checkpointIds(http.post("/threads/" + id + "/history",
                obj("limit", 1, "before", ids.get(2))).json())).containsExactly(ids.get(3));
        JsonNode updates = http.post("/threads/" + id + "/history", obj("limit", 100,
                "metadata", Map.of("source", "input"))).json();
        assertThat(updates).isNotEmpty().allSatisfy(s -> assertThat(s.path("metadata").path("source").asText())
                .isEqualTo("input"));
    }

    // ---- runs ---------------------------------------------------------------------------------------

    @Test
    void createRun_inTheBackground_answersTheRunWithContentLocation_thenListGetJoin() {
        String id = t.newThread();
        Response created = http.post("/threads/" + id + "/runs", scriptedRun("background", 3, 1,
                "metadata", Map.of("purpose", "test")));
        assertThat(created.status()).isEqualTo(200);
        JsonNode run = created.json();
        String runId = run.path("run_id").asText();
        assertThat(run.path("thread_id").asText()).isEqualTo(id);
        assertThat(run.path("status").asText()).isIn("pending", "running");
        assertThat(run.path("multitask_strategy").asText()).isEqualTo("enqueue");
        assertThat(run.path("lane").asText()).isEqualTo("main");
        assertThat(run.path("metadata").path("purpose").asText()).isEqualTo("test");
        assertThat(run.path("kwargs").path("input")).isEqualTo(humanInput("background"));
        assertThat(created.header("Content-Location")).contains("/threads/" + id + "/runs/" + runId);

        JsonNode joined = http.get("/threads/" + id + "/runs/" + runId + "/join").json();
        assertThat(messageContents(joined)).containsExactly("background", "reply to \"background\": t1 t2");
        assertThat(http.get("/threads/" + id + "/runs/" + runId).json().path("status").asText()).isEqualTo("success");
        JsonNode list = http.get("/threads/" + id + "/runs").json();
        assertThat(Http.texts(list, "run_id")).containsExactly(runId);
        assertThat(http.get("/threads/" + id + "/runs?status=success&limit=5&offset=0").json()).hasSize(1);
        assertThat(http.get("/threads/" + id + "/runs?status=error").json()).isEmpty();
        assertThat(http.get("/threads/" + id + "/runs?offset=1").json()).isEmpty();
        assertThat(http.get("/threads/" + id + "/runs/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void listRuns_pagesNewestFirst() {
        String id = t.newThread();
        String first = runToEnd(id, "a");
        String second = runToEnd(id, "b");
        String third = runToEnd(id, "c");
        assertThat(Http.texts(http.get("/threads/" + id + "/runs").json(), "run_id"))
                .containsExactly(third, second, first);
        assertThat(Http.texts(http.get("/threads/" + id + "/runs?limit=1&offset=1").json(), "run_id"))
                .containsExactly(second);
    }

    @Test
    void waitRun_answersTheFinalValues_orErrorForAFailingRun() {
        String id = t.newThread();
        Response ok = http.post("/threads/" + id + "/runs/wait", scriptedRun("hi", 2, 0));
        assertThat(ok.header("Content-Location").orElseThrow()).startsWith("/threads/" + id + "/runs/");
        assertThat(messageContents(ok.json())).containsExactly("hi", "reply to \"hi\": t1");
        Response failed = http.post("/threads/" + id + "/runs/wait", scriptedRun("please fail now", 5, 0));
        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.json().path("__error__").path("error").asText()).isEqualTo("RunError");
        assertThat(http.get("/threads/" + id).json().path("status").asText()).isEqualTo("error");
    }

    @Test
    void streamRun_framesMetadataFirst_valuesAndTokens_thenEnd() throws Exception {
        String id = t.newThread();
        try (Sse sse = http.stream("/threads/" + id + "/runs/stream", scriptedRun("stream me", 4, 0,
                "stream_mode", List.of("values", "messages-tuple", "updates")))) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.header("content-type").orElseThrow()).startsWith("text/event-stream");
            assertThat(sse.header("cache-control")).contains("no-cache");
            String location = sse.header("content-location").orElseThrow();
            List<Sse.Frame> frames = sse.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(frames.getFirst().event()).isEqualTo("metadata");
            String runId = frames.getFirst().json().path("run_id").asText();
            assertThat(location).isEqualTo("/threads/" + id + "/runs/" + runId);
            assertThat(frames.getFirst().json().path("attempt").asInt()).isEqualTo(1);
            assertThat(frames.getLast().event()).isEqualTo("end");
            assertThat(frames.getLast().data()).isEqualTo("null");
            assertThat(frames).extracting(Sse.Frame::event).contains("values", "messages", "updates")
                    .doesNotContain("error");
            String tokens = frames.stream().filter(f -> f.event().equals("messages"))
                    .map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat);
            assertThat(tokens).isEqualTo("reply to \"stream me\": t1 t2 t3");
            JsonNode tuple = frames.stream().filter(f -> f.event().equals("messages")).findFirst().orElseThrow().json();
            assertThat(tuple.get(0).path("type").asText()).isIn("ai", "AIMessageChunk");
            assertThat(tuple.get(1).path("langgraph_node").asText()).isEqualTo("agent");
            JsonNode lastValues = frames.stream().filter(f -> f.event().equals("values")).reduce((a, b) -> b)
                    .orElseThrow().json();
            assertThat(messageContents(lastValues)).containsExactly("stream me", "reply to \"stream me\": t1 t2 t3");
            assertThat(frames).extracting(Sse.Frame::id).doesNotContainNull();
        }
    }

    @Test
    void streamRun_legacyMessagesMode_sendsPartialAndCompleteMessages() throws Exception {
        String id = t.newThread();
        try (Sse sse = http.stream("/threads/" + id + "/runs/stream", scriptedRun("legacy", 3, 0,
                "stream_mode", "messages"))) {
            List<Sse.Frame> frames = sse.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(frames).extracting(Sse.Frame::event).contains("messages/metadata", "messages/partial",
                    "messages/complete");
            JsonNode lastPartial = frames.stream().filter(f -> f.event().equals("messages/partial"))
                    .reduce((a, b) -> b).orElseThrow().json();
            assertThat(lastPartial.get(0).path("content").asText()).isEqualTo("reply to \"legacy\": t1 t2");
        }
    }

    @Test
    void joinStream_ofAFinishedRun_replaysItsEvents_andGetWithoutThreadWorksForStatelessRuns() throws Exception {
        String id = t.newThread();
        String runId;
        List<Sse.Frame> original;
        try (Sse sse = http.stream("/threads/" + id + "/runs/stream", scriptedRun("join me", 3, 0,
                "stream_mode", List.of("values", "messages-tuple")))) {
            original = sse.readToEnd().stream().filter(f -> !f.isComment()).toList();
            runId = original.getFirst().json().path("run_id").asText();
        }
        try (Sse join = http.join("/threads/" + id + "/runs/" + runId + "/stream")) {
            assertThat(join.status()).isEqualTo(200);
            List<Sse.Frame> replay = join.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(replay).extracting(Sse.Frame::event).containsExactlyElementsOf(
                    original.stream().map(Sse.Frame::event).toList());
            assertThat(replay).extracting(Sse.Frame::data).containsExactlyElementsOf(
                    original.stream().map(Sse.Frame::data).toList());
        }
        try (Sse valuesOnly = http.join("/threads/" + id + "/runs/" + runId + "/stream?stream_mode=values")) {
            assertThat(valuesOnly.readToEnd()).filteredOn(f -> !f.isComment()).extracting(Sse.Frame::event)
                    .containsOnly("metadata", "values", "end");
        }
    }

    @Test
    void joinStream_ofARunningRun_followsItToTheEnd() throws Exception {
        String id = t.newThread();
        JsonNode run = http.post("/threads/" + id + "/runs", scriptedRun("follow", 6, 20,
                "stream_mode", "messages-tuple")).json();
        try (Sse join = http.join("/threads/" + id + "/runs/" + run.path("run_id").asText() + "/stream")) {
            List<Sse.Frame> frames = join.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(frames.getLast().event()).isEqualTo("end");
            assertThat(frames.stream().filter(f -> f.event().equals("messages"))
                    .map(f -> f.json().get(0).path("content").asText()).reduce("", String::concat))
                    .isEqualTo("reply to \"follow\": t1 t2 t3 t4 t5");
        }
    }

    @Test
    void cancelRun_interrupt_answers202ThenTheRunIsInterrupted_andWaitAnswers200WithTheEndedRun() {
        String id = t.newThread();
        ObjectNode slow = scriptedRun("use the tool", 1, 0);
        Http.configurable(slow).put("tool_sleep_ms", 60_000);
        String runId = http.post("/threads/" + id + "/runs", slow).json().path("run_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/threads/" + id + "/runs/" + runId).json()
                .path("status").asText().equals("running"));
        Response cancelled = http.post("/threads/" + id + "/runs/" + runId + "/cancel", null);
        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(cancelled.json().path("run_id").asText()).isEqualTo(runId);
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/threads/" + id + "/runs/" + runId).json()
                .path("status").asText().equals("interrupted"));
        assertThat(http.get("/threads/" + id).json().path("status").asText()).isNotEqualTo("busy");

        String second = http.post("/threads/" + id + "/runs", slow).json().path("run_id").asText();
        Response waited = http.post("/threads/" + id + "/runs/" + second + "/cancel?wait=true&action=interrupt", null);
        assertThat(waited.status()).isEqualTo(200);
        assertThat(waited.json().path("status").asText()).isEqualTo("interrupted");
        // Cancelling a run that has ended changes nothing.
        Response again = http.post("/threads/" + id + "/runs/" + second + "/cancel?wait=1", null);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("status").asText()).isEqualTo("interrupted");
        // The interrupted runs left a valid history: each tool call got its (cancelled) result.
        JsonNode messages = http.get("/threads/" + id + "/state").json().path("values").path("messages");
        assertThat(Http.texts(messages, "type")).containsSubsequence("human", "ai", "tool");
    }

    @Test
    void cancelRun_rollback_deletesTheRunAndItsCheckpoints() {
        String id = t.newThread();
        runToEnd(id, "keep me");
        List<String> before = checkpointIds(http.get("/threads/" + id + "/history?limit=100").json());
        ObjectNode slow = scriptedRun("use the tool", 1, 0);
        Http.configurable(slow).put("tool_sleep_ms", 60_000);
        String runId = http.post("/threads/" + id + "/runs", slow).json().path("run_id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.get("/threads/" + id + "/runs/" + runId).json()
                .path("status").asText().equals("running"));
        await().atMost(Duration.ofSeconds(10)).until(() -> checkpointIds(
                http.get("/threads/" + id + "/history?limit=100").json()).size() > before.size());
        Response cancelled = http.post("/threads/" + id + "/runs/" + runId + "/cancel?action=rollback&wait=1", null);
        assertThat(cancelled.status()).isEqualTo(204);
        assertThat(http.get("/threads/" + id + "/runs/" + runId).status()).isEqualTo(404);
        assertThat(checkpointIds(http.get("/threads/" + id + "/history?limit=100").json())).isEqualTo(before);
        assertThat(messageContents(http.get("/threads/" + id + "/state").json().path("values")))
                .containsExactly("keep me", "reply to \"keep me\": t1 t2");
    }

    @Test
    void deleteRun_answers204_thenTheRunIs404AndItsCheckpointsAreGone() {
        String id = t.newThread();
        String first = runToEnd(id, "first");
        String second = runToEnd(id, "second");
        JsonNode history = http.get("/threads/" + id + "/history?limit=100").json();
        assertThat(history).anySatisfy(s -> assertThat(s.path("metadata").path("run_id").asText()).isEqualTo(second));
        Response deleted = http.delete("/threads/" + id + "/runs/" + second);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http.get("/threads/" + id + "/runs/" + second).status()).isEqualTo(404);
        assertThat(Http.texts(http.get("/threads/" + id + "/runs").json(), "run_id")).containsExactly(first);
        assertThat(http.get("/threads/" + id + "/history?limit=100").json())
                .noneSatisfy(s -> assertThat(s.path("metadata").path("run_id").asText()).isEqualTo(second));
        assertThat(http.delete("/threads/" + id + "/runs/" + second).status()).isEqualTo(404);
    }

    @Test
    void createRun_onAnUnknownThread_is404_unlessIfNotExistsCreate() {
        String id = UUID.randomUUID().toString();
        Response missing = http.post("/threads/" + id + "/runs", scriptedRun("x", 1, 0));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(http.get("/threads/" + id).status()).isEqualTo(404);
        Response created = http.post("/threads/" + id + "/runs/wait", scriptedRun("x", 2, 0, "if_not_exists", "create"));
        assertThat(created.status()).isEqualTo(200);
        JsonNode thread = http.get("/threads/" + id).json();
        assertThat(thread.path("metadata").path("graph_id").asText()).isEqualTo("scripted");
        assertThat(thread.path("metadata").path("assistant_id").isTextual()).isTrue();
    }

    // ---- stateless runs -------------------------------------------------------------------------------

    @Test
    void statelessRuns_waitStreamAndBackground_deleteTheirTemporaryThread() throws Exception {
        long threadsBefore = http.post("/threads/count", obj()).json().asLong();
        Response wait = http.post("/runs/wait", scriptedRun("stateless", 2, 0));
        assertThat(wait.status()).isEqualTo(200);
        assertThat(wait.header("Content-Location").orElseThrow()).matches("/runs/[0-9a-f-]{36}");
        assertThat(messageContents(wait.json())).containsExactly("stateless", "reply to \"stateless\": t1");

        try (Sse sse = http.stream("/runs/stream", scriptedRun("stateless stream", 2, 0))) {
            assertThat(sse.header("content-location").orElseThrow()).matches("/runs/[0-9a-f-]{36}");
            List<Sse.Frame> frames = sse.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(frames.getFirst().event()).isEqualTo("metadata");
            assertThat(frames.getLast().event()).isEqualTo("end");
        }
        Response background = http.post("/runs", scriptedRun("stateless background", 2, 0));
        assertThat(background.status()).isEqualTo(200);
        assertThat(background.json().path("kwargs").path("temporary").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> http.post("/threads/count", obj()).json().asLong()
                == threadsBefore);
    }

    @Test
    void statelessRun_keptOnCompletion_canBeJoinedByRunIdAlone() throws Exception {
        JsonNode run = http.post("/runs", scriptedRun("keep this one", 3, 10, "on_completion", "keep",
                "stream_mode", List.of("values", "messages-tuple"))).json();
        String runId = run.path("run_id").asText();
        String threadId = run.path("thread_id").asText();
        try (Sse sse = http.join("/runs/" + runId + "/stream")) {
            List<Sse.Frame> frames = sse.readToEnd().stream().filter(f -> !f.isComment()).toList();
            assertThat(frames.getFirst().json().path("run_id").asText()).isEqualTo(runId);
            assertThat(frames).extracting(Sse.Frame::event).contains("messages", "values");
            assertThat(frames.getLast().event()).isEqualTo("end");
        }
        assertThat(http.get("/threads/" + threadId).status()).isEqualTo(200);
        assertThat(http.get("/threads/" + threadId + "/runs/" + runId).json().path("status").asText())
                .isEqualTo("success");
        assertThat(http.get("/runs/" + UUID.randomUUID() + "/stream").status()).isEqualTo(404);
    }

    // ---- store ----------------------------------------------------------------------------------------

    @Test
    void store_putGetSearchNamespacesDelete() {
        String top = "endpoints-" + UUID.randomUUID().toString().substring(0, 8);
        Response put = http.put("/store/items", obj("namespace", List.of(top, "prefs"), "key", "color",
                "value", Map.of("color", "blue")));
        assertThat(put.status()).isEqualTo(204);
        http.put("/store/items", obj("namespace", List.of(top, "prefs"), "key", "size", "value", Map.of("size", 9)));
        http.put("/store/items", obj("namespace", List.of(top, "other", "deep"), "key", "k", "value", Map.of("x", 1)));

        Response got = http.get("/store/items?namespace=" + top + ".prefs&key=color");
        assertThat(got.status()).isEqualTo(200);
        JsonNode item = got.json();
        assertThat(item.path("namespace")).isEqualTo(Json.mapper().valueToTree(List.of(top, "prefs")));
        assertThat(item.path("key").asText()).isEqualTo("color");
        assertThat(item.path("value")).isEqualTo(obj("color", "blue"));
        assertThat(item.has("created_at") && item.has("updated_at")).isTrue();

        Response missing = http.get("/store/items?namespace=" + top + ".prefs&key=nope");
        assertThat(missing.status()).isEqualTo(200);
        assertThat(missing.body()).isEqualTo("null");

        JsonNode all = http.post("/store/items/search", obj("namespace_prefix", List.of(top))).json();
        assertThat(Http.texts(all.path("items"), "key")).containsExactlyInAnyOrder("color", "size", "k");
        JsonNode filtered = http.post("/store/items/search", obj("namespace_prefix", List.of(top),
                "filter", Map.of("color", "blue"))).json();
        assertThat(Http.texts(filtered.path("items"), "key")).containsExactly("color");
        assertThat(http.post("/store/items/search", obj("namespace_prefix", List.of(top), "limit", 1)).json()
                .path("items")).hasSize(1);

        JsonNode namespaces = http.post("/store/namespaces", obj("prefix", List.of(top))).json().path("namespaces");
        assertThat(namespaces).containsExactlyInAnyOrder(Json.mapper().valueToTree(List.of(top, "other", "deep")),
                Json.mapper().valueToTree(List.of(top, "prefs")));
        JsonNode shallow = http.post("/store/namespaces", obj("prefix", List.of(top), "max_depth", 2)).json()
                .path("namespaces");
        assertThat(shallow).containsExactlyInAnyOrder(Json.mapper().valueToTree(List.of(top, "other")),
                Json.mapper().valueToTree(List.of(top, "prefs")));
        JsonNode bySuffix = http.post("/store/namespaces", obj("prefix", List.of(top), "suffix", List.of("deep")))
                .json().path("namespaces");
        assertThat(bySuffix).containsExactly(Json.mapper().valueToTree(List.of(top, "other", "deep")));

        Response deleted = http.delete("/store/items", obj("namespace", List.of(top, "prefs"), "key", "color"));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(http.get("/store/items?namespace=" + top + ".prefs&key=color").body()).isEqualTo("null");
        // Putting again overwrites.
        http.put("/store/items", obj("namespace", List.of(top, "prefs"), "key", "size", "value", Map.of("size", 10)));
        assertThat(http.get("/store/items?namespace=" + top + ".prefs&key=size").json().path("value").path("size")
                .asInt()).isEqualTo(10);
    }

    // ---- operations (extension) -----------------------------------------------------------------------

    @Test
    void operations_listGetAndCancel_acceptedBeforeThePointOfNoReturn_409After() throws Exception {
        String early = t.newThread();
        JsonNode earlyRun = http.post("/threads/" + early + "/runs", TestServer.lanesRun("please change my plan"))
                .json();
        JsonNode op = awaitOperation(early, 10);
        String opId = op.path("operation_id").asText();
        assertThat(op.path("tool").asText()).isEqualTo(TestServer.CHANGE);
        assertThat(op.path("thread_id").asText()).isEqualTo(early);
        assertThat(op.path("run_id").asText()).isEqualTo(earlyRun.path("run_id").asText());
        assertThat(op.path("status").asText()).isEqualTo("running");
        assertThat(op.path("idempotency_key").asText()).startsWith(early + ":" + earlyRun.path("run_id").asText() + ":");
        assertThat(http.get("/operations/" + opId).json().path("operation_id").asText()).isEqualTo(opId);

        Response accepted = http.post("/operations/" + opId + "/cancel", null);
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().path("cancel").asText()).isEqualTo("accepted");
        assertThat(accepted.json().path("cancel_requested").asBoolean()).isTrue();
        t.release();
        assertThat(t.awaitRun(early, earlyRun.path("run_id").asText()).path("status").asText()).isEqualTo("success");
        assertThat(http.get("/operations/" + opId).json().path("status").asText()).isEqualTo("cancelled");
        assertThat(http.get("/threads/" + early + "/operations").json()).hasSize(1);

        // Past the point of no return the cancel is refused with 409 and the change completes.
        t.gate.drainPermits();
        String late = t.newThread();
        JsonNode lateRun = http.post("/threads/" + late + "/runs", TestServer.lanesRun("please change my plan")).json();
        awaitOperation(late, 10);
        t.gate.release(2);
        String lateOp = awaitOperation(late, 60).path("operation_id").asText();
        Response refused = http.post("/operations/" + lateOp + "/cancel", null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("cancel").asText()).isEqualTo("past_point_of_no_return");
        assertThat(refused.json().path("explanation").isTextual()).isTrue();
        t.release();
        t.awaitRun(late, lateRun.path("run_id").asText());
        assertThat(http.get("/operations/" + lateOp).json().path("status").asText()).isEqualTo("succeeded");
        assertThat(http.get("/operations/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(http.post("/operations/" + UUID.randomUUID() + "/cancel", null).status()).isEqualTo(404);
        assertThat(http.get("/threads/" + UUID.randomUUID() + "/operations").status()).isEqualTo(404);
        assertThat(http.get("/threads/" + t.newThread() + "/operations").json()).isEmpty();
    }

    private JsonNode awaitOperation(String threadId, int percent) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode ops = http.get("/threads/" + threadId + "/operations").json();
            return ops.size() == 1 && ops.get(0).path("percent").asInt() >= percent ? ops.get(0) : null;
        }, java.util.Objects::nonNull);
    }
}

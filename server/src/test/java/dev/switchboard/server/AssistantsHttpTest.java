package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Assistants made, versioned, pointed at a version and deleted over HTTP, as the LangGraph Agent Server has them;
 * each user's own (404 for another user, an admin sees all); their config's system prompt and tool subset reach
 * their runs; every bad input a clear 4xx that stores nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssistantsHttpTest {
    /** Answers with what it was shown: the system prompt and the names of the tools it may call. */
    private static final ChatModel RECORDER = (request, listener) -> {
        Message last = request.messages().get(request.messages().size() - 1);
        // "call X" makes it call tool X whatever it was shown, as a model that ignores its tool list might.
        if (last instanceof dev.switchboard.message.HumanMessage h && h.content().startsWith("call ")) {
            return AiMessage.ofToolCalls("", List.of(dev.switchboard.message.ToolCall.of(h.content().substring(5),
                    Json.object())));
        }
        if (last instanceof dev.switchboard.message.ToolMessage tm) {
            return AiMessage.of("tool said: " + tm.content());
        }
        String prompt = request.messages().stream().filter(m -> m instanceof SystemMessage)
                .map(m -> ((SystemMessage) m).content()).findFirst().orElse("");
        String tools = request.tools().stream().map(ToolSpec::name).sorted().collect(Collectors.joining(","));
        return AiMessage.of("prompt=" + prompt + "; tools=" + tools);
    };

    private static Tool quick(String name) {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick(name, "the " + name + " tool", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return name + " done";
            }
        };
    }

    private final TestServer t = TestServer.startWithGraph(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob,ko:ops"))
            .withAdminUsers(Set.of("ops")), AgentGraph.of("recorder", "You are the default.", c -> RECORDER,
                    List.of(quick("lookup"), quick("refund"), quick("escalate"))));
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");
    private final Http ops = t.http.key("ko");

    @AfterAll
    void stop() {
        t.close();
    }

    private String create(Http who, Object... more) {
        ObjectNode body = obj(more);
        if (!body.has("graph_id")) {
            body.put("graph_id", "recorder");
        }
        Response r = who.post("/assistants", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("assistant_id").asText();
    }

    private int assistantCount(Http who) {
        return who.post("/assistants/count", obj()).json().asInt();
    }

    @Test
    void create_answersVersionOneWithDefaults_andDuplicateIsRaisedOrReturned() {
        String id = UUID.randomUUID().toString();
        Response r = alice.post("/assistants", obj("graph_id", "recorder", "assistant_id", id,
                "metadata", Map.of("team", "care")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode a = r.json();
        assertThat(a.path("assistant_id").asText()).isEqualTo(id);
        assertThat(a.path("version").asInt()).isEqualTo(1);
        assertThat(a.path("name").asText()).isEqualTo("Untitled");
        assertThat(a.path("description").isNull()).isTrue();
        assertThat(a.path("metadata").path("team").asText()).isEqualTo("care");
        assertThat(a.path("metadata").path("owner").asText()).isEqualTo("alice");
        assertThat(alice.get("/assistants/" + id).json()).isEqualTo(a);

        Response again = alice.post("/assistants", obj("graph_id", "recorder", "assistant_id", id));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.code()).isEqualTo("assistant_exists");
        Response kept = alice.post("/assistants", obj("graph_id", "recorder", "assistant_id", id, "if_exists",
                "do_nothing", "name", "other"));
        assertThat(kept.status()).isEqualTo(200);
        assertThat(kept.json()).isEqualTo(a);
    }

    @Test
    void patch_makesNewVersions_versionsListsThemNewestFirst_latestPicksTheLiveOne() {
        String id = create(alice, "name", "v1", "config", Map.of("configurable", Map.of("system_prompt", "one")),
                "metadata", Map.of("a", 1));
        Response p2 = alice.patch("/assistants/" + id, obj("name", "v2", "metadata", Map.of("b", 2),
                "config", Map.of("configurable", Map.of("system_prompt", "two"))));
        assertThat(p2.status()).as(p2.body()).isEqualTo(200);
        assertThat(p2.json().path("version").asInt()).isEqualTo(2);
        assertThat(p2.json().path("metadata").path("a").asInt()).as("metadata merged").isEqualTo(1);
        assertThat(p2.json().path("metadata").path("b").asInt()).isEqualTo(2);
        assertThat(p2.json().path("metadata").path("owner").asText()).isEqualTo("alice");
        assertThat(p2.json().path("config").path("configurable").path("system_prompt").asText()).isEqualTo("two");
        Response p3 = alice.patch("/assistants/" + id, obj("description", "third"));
        assertThat(p3.json().path("version").asInt()).isEqualTo(3);
        assertThat(p3.json().path("name").asText()).as("kept").isEqualTo("v2");

        JsonNode versions = alice.post("/assistants/" + id + "/versions", obj()).json();
        assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(3, 2, 1);
        assertThat(versions.get(2).path("name").asText()).isEqualTo("v1");
        assertThat(versions.get(0).has("updated_at")).isFalse();
        assertThat(alice.post("/assistants/" + id + "/versions", obj("limit", 1, "offset", 1)).json())
                .extracting(v -> v.path("version").asInt()).containsExactly(2);
        assertThat(alice.post("/assistants/" + id + "/versions", obj("metadata", Map.of("b", 2))).json())
                .extracting(v -> v.path("version").asInt()).containsExactly(3, 2);

        Response latest = alice.post("/assistants/" + id + "/latest", obj("version", 1));
        assertThat(latest.status()).as(latest.body()).isEqualTo(200);
        assertThat(latest.json().path("version").asInt()).isEqualTo(1);
        assertThat(alice.get("/assistants/" + id).json().path("name").asText()).isEqualTo("v1");
        assertThat(alice.post("/assistants/" + id + "/latest?version=3", null).json().path("name").asText())
                .isEqualTo("v2");
        Response p4 = alice.patch("/assistants/" + id, obj("name", "v4"));
        assertThat(p4.json().path("version").asInt()).as("after the newest, not after the live one").isEqualTo(4);
    }

    @Test
    void badInput_isOneClear4xx_andStoresNothing() {
        int before = assistantCount(alice);
        List<Object[]> bad = List.of(
                new Object[] {obj("graph_id", "nope"), 422, "unknown_graph"},
                new Object[] {obj(), 422, "missing_field"},
                new Object[] {obj("graph_id", "recorder", "assistant_id", "not-a-uuid"), 422, null},
                new Object[] {obj("graph_id", "recorder", "config", "text"), 422, "invalid_field"},
                new Object[] {obj("graph_id", "recorder", "config", Map.of("configurable", List.of())), 422,
                        "invalid_config"},
                new Object[] {obj("graph_id", "recorder", "config", Map.of("bogus", 1)), 422, "invalid_config"},
                new Object[] {obj("graph_id", "recorder", "config", Map.of("configurable", Map.of("tools",
                        List.of("lookup", "launch_missiles")))), 422, "unknown_tool"},
                new Object[] {obj("graph_id", "recorder", "config", Map.of("configurable", Map.of("tools", "lookup"))),
                        422, "invalid_config"},
                new Object[] {obj("graph_id", "recorder", "config", Map.of("configurable", Map.of("system_prompt",
                        7))), 422, "invalid_config"},
                new Object[] {obj("graph_id", "recorder", "if_exists", "replace"), 422, null},
                new Object[] {obj("graph_id", "recorder", "colour", "red"), 422, null});
        for (Object[] c : bad) {
            Response r = alice.post("/assistants", c[0]);
            assertThat(r.status()).as("%s -> %s", c[0], r.body()).isEqualTo(c[1]);
            assertThat(r.code()).as(r.body()).isNotBlank();
            if (c[2] != null) {
                assertThat(r.code()).as(r.body()).isEqualTo(c[2]);
            }
        }
        assertThat(assistantCount(alice)).isEqualTo(before);

        String id = create(alice, "name", "kept");
        String path = "/assistants/" + id;
        assertThat(alice.patch(path, obj("config", Map.of("configurable", Map.of("tools", List.of("x"))))).code())
                .isEqualTo("unknown_tool");
        assertThat(alice.patch(path, obj("graph_id", "nope")).code()).isEqualTo("unknown_graph");
        assertThat(alice.post(path + "/latest", obj("version", 0)).status()).isEqualTo(422);
        assertThat(alice.post(path + "/latest", obj("version", "two")).status()).isEqualTo(422);
        assertThat(alice.post(path + "/latest?version=x", null).status()).isEqualTo(422);
        assertThat(alice.post(path + "/latest", obj()).code()).isEqualTo("missing_field");
        assertThat(alice.post(path + "/latest", obj("version", 9)).status()).isEqualTo(404);
        assertThat(alice.post(path + "/versions", obj("limit", 0)).status()).isEqualTo(422);
        assertThat(alice.delete(path + "?delete_threads=maybe").status()).isEqualTo(422);
        assertThat(alice.post("/assistants/search", obj("sort_by", "colour")).status()).isEqualTo(422);
        assertThat(alice.post(path + "/versions", obj()).json()).hasSize(1);
        assertThat(alice.get(path).json().path("name").asText()).isEqualTo("kept");
        assertThat(alice.get(path).json().path("version").asInt()).isEqualTo(1);
    }

    @Test
    void anotherUsersAssistant_is404Everywhere_andHiddenFromSearch_butAnAdminSeesIt() {
        String id = create(alice, "name", "alice's secret", "metadata", Map.of("tag", "mine"));
        String path = "/assistants/" + id;
        List<Object[]> walk = List.of(
                new Object[] {"GET", path, null},
                new Object[] {"GET", path + "/schemas", null},
                new Object[] {"GET", path + "/graph", null},
                new Object[] {"PATCH", path, obj("name", "bob's now")},
                new Object[] {"POST", path + "/versions", obj()},
                new Object[] {"POST", path + "/latest", obj("version", 1)},
                new Object[] {"DELETE", path, null},
                new Object[] {"DELETE", path + "?delete_threads=true", null},
                new Object[] {"POST", "/assistants", obj("graph_id", "recorder", "assistant_id", id,
                        "if_exists", "do_nothing")},
                new Object[] {"POST", "/threads/" + t.http.key("kb").post("/threads", obj()).json()
                        .path("thread_id").asText() + "/runs/wait", obj("assistant_id", id, "input",
                        Http.humanInput("hi"))},
                new Object[] {"POST", "/runs/wait", obj("assistant_id", id, "input", Http.humanInput("hi"))});
        for (Object[] step : walk) {
            Response r = bob.send((String) step[0], (String) step[1], step[2]);
            assertThat(r.status()).as("bob: %s %s -> %s", step[0], step[1], r.body()).isEqualTo(404);
        }
        assertThat(bob.post("/assistants/search", obj("limit", 1000)).json())
                .noneMatch(a -> a.path("assistant_id").asText().equals(id));
        assertThat(bob.post("/assistants/count", obj("metadata", Map.of("tag", "mine"))).json().asInt()).isZero();
        assertThat(alice.post("/assistants/count", obj("metadata", Map.of("tag", "mine"))).json().asInt()).isOne();
        assertThat(alice.get(path).json().path("name").asText()).isEqualTo("alice's secret");
        assertThat(alice.get(path).json().path("version").asInt()).isEqualTo(1);

        assertThat(ops.get(path).status()).as("an admin sees every assistant").isEqualTo(200);
        assertThat(ops.post("/assistants/search", obj("limit", 1000)).json())
                .anyMatch(a -> a.path("assistant_id").asText().equals(id));
        assertThat(bob.get("/assistants/recorder").status()).as("built-in ones are everyone's").isEqualTo(200);
    }

    @Test
    void builtInAssistants_cannotBePatchedRepointedOrDeleted() {
        String builtIn = alice.get("/assistants/recorder").json().path("assistant_id").asText();
        for (Response r : List.of(alice.patch("/assistants/" + builtIn, obj("name", "mine")),
                alice.post("/assistants/" + builtIn + "/latest", obj("version", 1)),
                ops.delete("/assistants/" + builtIn), alice.delete("/assistants/recorder"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(409);
            assertThat(r.code()).isEqualTo("builtin_assistant");
        }
        assertThat(alice.get("/assistants/recorder").json().path("name").asText()).isEqualTo("recorder");
        assertThat(alice.post("/assistants/" + builtIn + "/versions", obj()).json()).hasSize(1);
    }

    @Test
    void delete_removesTheAssistant_andWithDeleteThreadsItsThreads() {
        String keepThreads = create(alice);
        String thread1 = alice.post("/threads", obj()).json().path("thread_id").asText();
        assertThat(alice.post("/threads/" + thread1 + "/runs/wait", obj("assistant_id", keepThreads, "input",
                Http.humanInput("hi"))).status()).isEqualTo(200);
        Response deleted = alice.delete("/assistants/" + keepThreads);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().get(0).asText()).isEqualTo(keepThreads);
        assertThat(alice.get("/assistants/" + keepThreads).status()).isEqualTo(404);
        assertThat(alice.get("/threads/" + thread1).status()).as("threads kept by default").isEqualTo(200);

        String withThreads = create(alice);
        String thread2 = alice.post("/threads", obj()).json().path("thread_id").asText();
        alice.post("/threads/" + thread2 + "/runs/wait", obj("assistant_id", withThreads, "input",
                Http.humanInput("hi")));
        String other = alice.post("/threads", obj()).json().path("thread_id").asText();
        assertThat(alice.delete("/assistants/" + withThreads + "?delete_threads=true").status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + thread2).status()).isEqualTo(404);
        assertThat(alice.get("/threads/" + other).status()).as("another assistant's thread").isEqualTo(200);
        assertThat(alice.post("/assistants/" + withThreads + "/versions", obj()).status()).isEqualTo(404);
    }

    @Test
    void deleteThreads_withABusyThread_refusesWith409_andDeletesNothing() {
        String id = create(alice, "graph_id", "lanes");
        String thread = alice.post("/threads", obj()).json().path("thread_id").asText();
        ObjectNode run = TestServer.lanesRun("please change my plan");
        run.put("assistant_id", id);
        String runId = alice.post("/threads/" + thread + "/runs", run).json().path("run_id").asText();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !alice.get("/threads/" + thread + "/operations").json().isEmpty());

        Response refused = alice.delete("/assistants/" + id + "?delete_threads=true");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.code()).isIn("thread_busy", "operation_in_flight");
        assertThat(alice.get("/assistants/" + id).status()).isEqualTo(200);
        assertThat(alice.get("/threads/" + thread).status()).isEqualTo(200);

        t.release();
        alice.get("/threads/" + thread + "/runs/" + runId + "/join");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> alice.delete("/assistants/" + id + "?delete_threads=true").status() == 200);
        assertThat(alice.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void anAssistantsPromptAndToolSubset_reachItsRuns_andARunsOwnConfigOverridesThem() {
        String id = create(alice, "config", Map.of("configurable", Map.of("system_prompt", "You are terse.",
                "tools", List.of("lookup", "refund"))));
        assertThat(answer(alice, id, null)).isEqualTo("prompt=You are terse.; tools=lookup,refund");
        assertThat(answer(alice, "recorder", null))
                .isEqualTo("prompt=You are the default.; tools=escalate,lookup,refund");
        assertThat(answer(alice, id, Map.of("tools", List.of("escalate"))))
                .isEqualTo("prompt=You are terse.; tools=escalate");
        assertThat(answer(alice, id, Map.of("system_prompt", "Be kind.")))
                .isEqualTo("prompt=Be kind.; tools=lookup,refund");

        alice.patch("/assistants/" + id, obj("config", Map.of("configurable", Map.of("system_prompt", "v2"))));
        assertThat(answer(alice, id, null)).as("config is replaced by a patch")
                .isEqualTo("prompt=v2; tools=escalate,lookup,refund");
        alice.post("/assistants/" + id + "/latest", obj("version", 1));
        assertThat(answer(alice, id, null)).isEqualTo("prompt=You are terse.; tools=lookup,refund");

        String thread = alice.post("/threads", obj()).json().path("thread_id").asText();
        Response bad = alice.post("/threads/" + thread + "/runs/wait", obj("assistant_id", id, "input",
                Http.humanInput("hi"), "config", Map.of("configurable", Map.of("tools", List.of("nope")))));
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(bad.code()).isEqualTo("unknown_tool");
        assertThat(alice.get("/threads/" + thread + "/runs").json()).as("no run stored").isEmpty();
    }

    @Test
    void infoAndOpenApi_describeAssistantWrites() {
        JsonNode supports = t.http.get("/info").json().path("supports");
        assertThat(supports.path("assistant_versions").asBoolean()).isTrue();
        assertThat(supports.path("assistant_configurable")).extracting(JsonNode::asText)
                .contains("system_prompt", "tools");
        JsonNode paths = t.http.get("/openapi.json").json().path("paths");
        assertThat(paths.path("/assistants").has("post")).isTrue();
        assertThat(paths.path("/assistants/{assistant_id}").has("patch")).isTrue();
        assertThat(paths.path("/assistants/{assistant_id}").has("delete")).isTrue();
        assertThat(paths.path("/assistants/{assistant_id}/versions").has("post")).isTrue();
        assertThat(paths.path("/assistants/{assistant_id}/latest").has("post")).isTrue();
    }

    @Test
    void aToolOutsideTheAssistantsSubset_isNeverRun_evenWhenTheModelCallsIt() {
        String id = create(alice, "config", Map.of("configurable", Map.of("tools", List.of("lookup"))));
        assertThat(answer(alice, id, null, "call lookup")).isEqualTo("tool said: lookup done");
        assertThat(answer(alice, id, null, "call refund")).doesNotContain("refund done");
        assertThat(answer(alice, "recorder", null, "call refund")).isEqualTo("tool said: refund done");
    }

    private static String answer(Http who, String assistant, Map<String, Object> configurable) {
        return answer(who, assistant, configurable, "hi");
    }

    private static String answer(Http who, String assistant, Map<String, Object> configurable, String text) {
        ObjectNode body = obj("assistant_id", assistant, "input", Http.humanInput(text));
        if (configurable != null) {
            body.set("config", Json.mapper().valueToTree(Map.of("configurable", configurable)));
        }
        String thread = who.post("/threads", obj()).json().path("thread_id").asText();
        Response r = who.post("/threads/" + thread + "/runs/wait", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode messages = r.json().path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }
}

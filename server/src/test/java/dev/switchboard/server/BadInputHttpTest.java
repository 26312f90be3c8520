package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.Http.Response;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table: every malformed request answers a 4xx with JSON {@code {detail, code}} (checked by
 * {@link Http} on every response, as is "never a 5xx") and changes nothing: the threads, runs, checkpoints and
 * store items are the same before and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputHttpTest {
    private static final int MAX_BODY = 16 * 1024;
    private static final String NO_SUCH = "00000000-0000-7000-8000-000000000000";

    private final TestServer t = TestServer.start(s -> s.withMaxBodyBytes(MAX_BODY));
    private final Http http = t.http;
    private String thread;
    private String run;
    private String checkpoint;

    @BeforeAll
    void seed() {
        thread = t.newThread();
        Response wait = http.post("/threads/" + thread + "/runs/wait", scriptedRun("seed", 2, 0));
        run = wait.header("Content-Location").orElseThrow().replaceAll(".*/runs/", "");
        checkpoint = http.get("/threads/" + thread + "/state").json().path("checkpoint").path("checkpoint_id").asText();
        http.put("/store/items", obj("namespace", List.of("seed", "ns"), "key", "k", "value", Map.of("v", 1)));
        Response agent = http.post("/api/agent/run", obj("user_id", "seed-user", "task", "hello"));
        // The agent run is asynchronous: let it finish, or the snapshots below would race it.
        http.get("/threads/" + agent.json().path("thread_id").asText() + "/runs/"
                + agent.json().path("run_id").asText() + "/join");
    }

    @AfterAll
    void stop() {
        t.close();
    }

    /** What "nothing changed" compares: every thread with its status and metadata, runs, history and store. */
    private String snapshot() {
        StringBuilder s = new StringBuilder();
        JsonNode threads = http.post("/threads/search", obj("limit", 1000)).json();
        s.append("threads=").append(threads.size()).append('\n');
        for (JsonNode th : threads) {
            String id = th.path("thread_id").asText();
            s.append(id).append(' ').append(th.path("status").asText()).append(' ').append(th.path("metadata"))
                    .append(' ').append(th.path("values")).append('\n');
            s.append(" runs=").append(http.get("/threads/" + id + "/runs?limit=1000").body()).append('\n');
            s.append(" history=").append(http.get("/threads/" + id + "/history?limit=1000").json().size()).append('\n');
            s.append(" operations=").append(http.get("/threads/" + id + "/operations").json().size()).append('\n');
        }
        JsonNode items = http.post("/store/items/search", obj("namespace_prefix", List.of(), "limit", 1000)).json();
        for (JsonNode item : items.path("items")) {
            s.append("item ").append(item.path("namespace")).append(' ').append(item.path("key").asText()).append(' ')
                    .append(item.path("value")).append('\n');
        }
        s.append("assistants=").append(http.post("/assistants/count", obj()).body());
        return s.toString();
    }

    record Case(String name, String method, String path, String body, int status, String code, String... headers) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, String method, String path, String body, int status, String code,
            String... headers) {
        return new Case(name, method, path, body, status, code, headers);
    }

    private static final String RUN = "\"assistant_id\":\"scripted\",\"input\":{\"messages\":[{\"type\":\"human\",\"content\":\"x\"}]}";

    static Stream<Case> cases() {
        return Stream.of(
                // malformed bodies
                c("malformed JSON", "POST", "/threads", "{\"metadata\": {", 400, "malformed_json"),
                c("JSON but not an object", "POST", "/threads", "[1, 2]", 400, "invalid_body"),
                c("a bare string body", "POST", "/threads/search", "\"hello\"", 400, "invalid_body"),
                c("malformed run body", "POST", "/threads/{thread}/runs", "{" + RUN, 400, "malformed_json"),
                c("malformed stream body", "POST", "/threads/{thread}/runs/stream", "{,}", 400, "malformed_json"),
                c("malformed store put", "PUT", "/store/items", "{namespace: [a]}", 400, "malformed_json"),
                // wrong types
                c("metadata not an object", "POST", "/threads", "{\"metadata\": \"x\"}", 422, "invalid_field"),
                c("thread_id a number", "POST", "/threads", "{\"thread_id\": 5}", 422, "invalid_field"),
                c("if_exists unknown", "POST", "/threads", "{\"if_exists\": \"maybe\"}", 422, "invalid_field"),
                c("search limit a string", "POST", "/threads/search", "{\"limit\": \"abc\"}", 422, "invalid_field"),
                c("search limit zero", "POST", "/threads/search", "{\"limit\": 0}", 422, "invalid_field"),
                c("search limit fractional", "POST", "/threads/search", "{\"limit\": 2.5}", 422, "invalid_field"),
                c("search offset negative", "POST", "/threads/search", "{\"offset\": -1}", 422, "invalid_field"),
                c("search status unknown", "POST", "/threads/search", "{\"status\": \"sleepy\"}", 422, "invalid_status"),
                c("search sort_by unknown", "POST", "/threads/search", "{\"sort_by\": \"color\"}", 422, "invalid_sort"),
                c("search sort_order unknown", "POST", "/threads/search", "{\"sort_order\": \"up\"}", 422, "invalid_field"),
                c("search ids not a list", "POST", "/threads/search", "{\"ids\": \"x\"}", 422, "invalid_field"),
                c("count status unknown", "POST", "/threads/count", "{\"status\": \"sleepy\"}", 422, "invalid_status"),
                c("patch metadata a list", "PATCH", "/threads/{thread}", "{\"metadata\": [1]}", 422, "invalid_field"),
                c("state values a list", "POST", "/threads/{thread}/state", "{\"values\": [1]}", 422, "invalid_field"),
                c("state values a string", "POST", "/threads/{thread}/state", "{\"values\": \"x\"}", 422, "invalid_request"),
                c("state values bad message", "POST", "/threads/{thread}/state",
                        "{\"values\": {\"messages\": [{\"type\": \"alien\", \"content\": \"x\"}]}}", 422, "invalid_message"),
                c("history limit a string", "POST", "/threads/{thread}/history", "{\"limit\": \"ten\"}", 422, "invalid_field"),
                c("run input a number", "POST", "/threads/{thread}/runs", "{\"assistant_id\":\"scripted\",\"input\":42}",
                        422, "invalid_request"),
                c("run message of unknown type", "POST", "/threads/{thread}/runs",
                        "{\"assistant_id\":\"scripted\",\"input\":{\"messages\":[{\"type\":\"alien\",\"content\":\"x\"}]}}",
                        422, "invalid_message"),
                c("run creating its thread, with a bad message", "POST", "/threads/" + NO_SUCH + "/runs",
                        "{\"assistant_id\":\"scripted\",\"if_not_exists\":\"create\",\"input\":{\"messages\":[{\"type\":\"alien\"}]}}",
                        422, "invalid_message"),
                c("stateless run with a bad message", "POST", "/runs/wait",
                        "{\"assistant_id\":\"scripted\",\"input\":{\"messages\":[{\"type\":\"alien\"}]}}",
                        422, "invalid_message"),
                c("run thread_type unknown", "POST", "/threads/{thread}/runs",
                        "{\"assistant_id\":\"scripted\",\"input\":{\"thread_type\":\"side\",\"messages\":[]}}", 422,
                        "invalid_request"),
                c("run config a string", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"config\":\"x\"}", 422, "invalid_field"),
                c("run configurable a number", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"config\":{\"configurable\":3}}", 422, "invalid_field"),
                c("run metadata a list", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"metadata\":[]}", 422, "invalid_field"),
                c("run stream_resumable a string", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"stream_resumable\":\"yes\"}", 422, "invalid_field"),
                c("run after_seconds negative", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"after_seconds\":-1}",
                        422, "invalid_field"),
                c("run webhook not http", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"webhook\":\"ftp://x/y\"}",
                        422, "invalid_field"),
                c("run assistant_id missing", "POST", "/threads/{thread}/runs", "{\"input\":null}", 422, "missing_field"),
                c("run assistant_id a number", "POST", "/threads/{thread}/runs", "{\"assistant_id\":7}", 422, "invalid_field"),
                c("run command with input too", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"command\":{\"resume\":1}}",
                        422, "invalid_command"),
                c("run interrupt_before unknown node", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"interrupt_before\":\"nowhere\"}", 422, "unknown_node"),
                c("thread supersteps unsupported", "POST", "/threads", "{\"supersteps\":[]}", 422, "unsupported"),
                // unknown fields
                c("unknown thread field", "POST", "/threads", "{\"bogus\": 1}", 422, "unknown_field"),
                c("unknown run field (typo)", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"strem_mode\":\"values\"}",
                        422, "unknown_field"),
                c("unknown search field", "POST", "/threads/search", "{\"metdata\": {}}", 422, "unknown_field"),
                c("unknown store field", "PUT", "/store/items",
                        "{\"namespace\":[\"a\"],\"key\":\"k\",\"value\":{},\"valu\":1}", 422, "unknown_field"),
                c("unknown assistants field", "POST", "/assistants/search", "{\"graph\": \"x\"}", 422, "unknown_field"),
                c("unknown agent field", "POST", "/api/agent/run", "{\"user_id\":\"u\",\"task\":\"t\",\"x\":1}", 422,
                        "unknown_field"),
                // invalid UUIDs in paths and bodies
                c("thread id not a UUID", "GET", "/threads/not-a-uuid", null, 422, "invalid_uuid"),
                c("thread id with a non-hex digit", "GET", "/threads/0000000g-0000-7000-8000-000000000000", null, 422, "invalid_uuid"),
                c("patch on a bad id", "PATCH", "/threads/xyz", "{\"metadata\":{}}", 422, "invalid_uuid"),
                c("delete on a bad id", "DELETE", "/threads/xyz", null, 422, "invalid_uuid"),
                c("copy of a bad id", "POST", "/threads/xyz/copy", null, 422, "invalid_uuid"),
                c("checkpoint id not a UUID", "GET", "/threads/{thread}/state/nope", null, 422, "invalid_uuid"),
                c("run id not a UUID", "GET", "/threads/{thread}/runs/nope", null, 422, "invalid_uuid"),
                c("runs of a bad thread", "POST", "/threads/nope/runs", "{" + RUN + "}", 422, "invalid_uuid"),
                c("cancel of a bad run id", "POST", "/threads/{thread}/runs/nope/cancel", null, 422, "invalid_uuid"),
                c("stateless stream of a bad id", "GET", "/runs/nope/stream", null, 422, "invalid_uuid"),
                c("operation id not a UUID", "GET", "/operations/nope", null, 422, "invalid_uuid"),
                c("operation cancel bad id", "POST", "/operations/nope/cancel", null, 422, "invalid_uuid"),
                c("operations of a bad thread", "GET", "/threads/nope/operations", null, 422, "invalid_uuid"),
                c("thread_id in body not a UUID", "POST", "/threads", "{\"thread_id\": \"abc\"}", 422, "invalid_uuid"),
                c("search ids not UUIDs", "POST", "/threads/search", "{\"ids\": [\"abc\"]}", 422, "invalid_uuid"),
                c("run checkpoint_id not a UUID", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"checkpoint_id\":\"c\"}",
                        422, "invalid_uuid"),
                c("state checkpoint_id not a UUID", "POST", "/threads/{thread}/state",
                        "{\"values\":{},\"checkpoint_id\":\"c\"}", 422, "invalid_uuid"),
                c("state/checkpoint not a UUID", "POST", "/threads/{thread}/state/checkpoint",
                        "{\"checkpoint\":{\"checkpoint_id\":\"c\"}}", 422, "invalid_uuid"),
                c("history before not a UUID (GET)", "GET", "/threads/{thread}/history?before=c", null, 422, "invalid_uuid"),
                c("history before not a UUID (POST)", "POST", "/threads/{thread}/history", "{\"before\":\"c\"}", 422,
                        "invalid_uuid"),
                // unknown ids
                c("unknown thread", "GET", "/threads/" + NO_SUCH, null, 404, "not_found"),
                c("patch unknown thread", "PATCH", "/threads/" + NO_SUCH, "{\"metadata\":{\"a\":1}}", 404, "not_found"),
                c("delete unknown thread", "DELETE", "/threads/" + NO_SUCH, null, 404, "not_found"),
                c("state of unknown thread", "POST", "/threads/" + NO_SUCH + "/state", "{\"values\":{}}", 404, "not_found"),
                c("history of unknown thread", "POST", "/threads/" + NO_SUCH + "/history", "{}", 404, "not_found"),
                c("unknown checkpoint", "GET", "/threads/{thread}/state/" + NO_SUCH, null, 404, "not_found"),
                c("state update at unknown checkpoint", "POST", "/threads/{thread}/state",
                        "{\"values\":{\"x\":1},\"checkpoint_id\":\"" + NO_SUCH + "\"}", 404, "not_found"),
                c("unknown run", "GET", "/threads/{thread}/runs/" + NO_SUCH, null, 404, "not_found"),
                c("run of another thread", "GET", "/threads/" + NO_SUCH + "/runs/{run}", null, 404, "not_found"),
                c("cancel unknown run", "POST", "/threads/{thread}/runs/" + NO_SUCH + "/cancel", null, 404, "not_found"),
                c("delete unknown run", "DELETE", "/threads/{thread}/runs/" + NO_SUCH, null, 404, "not_found"),
                c("join unknown run", "GET", "/threads/{thread}/runs/" + NO_SUCH + "/join", null, 404, "not_found"),
                c("join stream of unknown run", "GET", "/threads/{thread}/runs/" + NO_SUCH + "/stream", null, 404, "not_found"),
                c("run on unknown thread", "POST", "/threads/" + NO_SUCH + "/runs", "{" + RUN + "}", 404, "not_found"),
                c("run from unknown checkpoint", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"checkpoint_id\":\"" + NO_SUCH + "\"}", 404, "not_found"),
                c("run with unknown assistant", "POST", "/threads/{thread}/runs",
                        "{\"assistant_id\":\"nosuch\",\"input\":null}", 404, "not_found"),
                c("stateless run with unknown assistant", "POST", "/runs", "{\"assistant_id\":\"nosuch\"}", 404, "not_found"),
                c("stateless run from unknown checkpoint", "POST", "/runs/wait",
                        "{" + RUN + ",\"checkpoint_id\":\"" + NO_SUCH + "\"}", 404, "not_found"),
                c("unknown assistant", "GET", "/assistants/" + NO_SUCH, null, 404, "not_found"),
                c("unknown operation", "GET", "/operations/" + NO_SUCH, null, 404, "not_found"),
                c("agent run with unknown assistant", "POST", "/api/agent/run",
                        "{\"user_id\":\"someone-new\",\"task\":\"t\",\"assistant_id\":\"nosuch\"}", 404, "not_found"),
                // bad namespaces
                c("put with empty namespace", "PUT", "/store/items", "{\"namespace\":[],\"key\":\"k\",\"value\":{}}", 422,
                        "invalid_namespace"),
                c("put with an empty label", "PUT", "/store/items", "{\"namespace\":[\"a\",\"\"],\"key\":\"k\",\"value\":{}}",
                        422, "invalid_namespace"),
                c("put with a dotted label", "PUT", "/store/items", "{\"namespace\":[\"a.b\"],\"key\":\"k\",\"value\":{}}",
                        422, "invalid_namespace"),
                c("put with a string namespace", "PUT", "/store/items", "{\"namespace\":\"a\",\"key\":\"k\",\"value\":{}}",
                        422, "invalid_namespace"),
                c("put with a numeric label", "PUT", "/store/items", "{\"namespace\":[1],\"key\":\"k\",\"value\":{}}",
                        422, "invalid_namespace"),
                c("put without key", "PUT", "/store/items", "{\"namespace\":[\"a\"],\"value\":{}}", 422, "missing_field"),
                c("put with a list value", "PUT", "/store/items", "{\"namespace\":[\"a\"],\"key\":\"k\",\"value\":[1]}",
                        422, "invalid_field"),
                c("put without value", "PUT", "/store/items", "{\"namespace\":[\"a\"],\"key\":\"k\"}", 422,
                        "invalid_value"),
                c("put with a string ttl", "PUT", "/store/items",
                        "{\"namespace\":[\"a\"],\"key\":\"k\",\"value\":{},\"ttl\":\"long\"}", 422, "invalid_field"),
                c("get with an empty label", "GET", "/store/items?namespace=seed..ns&key=k", null, 422, "invalid_namespace"),
                c("get with a trailing dot", "GET", "/store/items?namespace=seed.&key=k", null, 422, "invalid_namespace"),
                c("get without namespace", "GET", "/store/items?key=k", null, 422, "missing_field"),
                c("get without key", "GET", "/store/items?namespace=seed.ns", null, 422, "missing_field"),
                c("delete with a dotted label", "DELETE", "/store/items", "{\"namespace\":[\"seed.ns\"],\"key\":\"k\"}", 422,
                        "invalid_namespace"),
                c("delete without key", "DELETE", "/store/items", "{\"namespace\":[\"seed\",\"ns\"]}", 422, "missing_field"),
                c("search with a string prefix", "POST", "/store/items/search", "{\"namespace_prefix\":\"seed\"}", 422,
                        "invalid_namespace"),
                c("search with an empty label", "POST", "/store/items/search", "{\"namespace_prefix\":[\"\"]}", 422,
                        "invalid_namespace"),
                c("search with a list filter", "POST", "/store/items/search", "{\"filter\":[1]}", 422, "invalid_field"),
                c("store search limit a string", "POST", "/store/items/search", "{\"limit\":\"abc\"}", 422, "invalid_field"),
                c("namespaces with a dotted prefix", "POST", "/store/namespaces", "{\"prefix\":[\"a.b\"]}", 422,
                        "invalid_namespace"),
                c("namespaces max_depth zero", "POST", "/store/namespaces", "{\"max_depth\":0}", 422, "invalid_field"),
                // bad enumerations
                c("stream_mode unknown", "POST", "/threads/{thread}/runs/stream", "{" + RUN + ",\"stream_mode\":\"loud\"}",
                        422, "invalid_stream_mode"),
                c("stream_mode list with unknown", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"stream_mode\":[\"values\",\"loud\"]}", 422, "invalid_stream_mode"),
                c("stream_mode a number", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"stream_mode\":5}", 422,
                        "invalid_field"),
                c("stateless stream_mode unknown", "POST", "/runs/stream", "{" + RUN + ",\"stream_mode\":\"loud\"}", 422,
                        "invalid_stream_mode"),
                c("multitask_strategy unknown", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"multitask_strategy\":\"shove\"}", 422, "invalid_multitask_strategy"),
                c("multitask_strategy unknown (stream)", "POST", "/threads/{thread}/runs/stream",
                        "{" + RUN + ",\"multitask_strategy\":\"shove\"}", 422, "invalid_multitask_strategy"),
                c("on_disconnect unknown", "POST", "/threads/{thread}/runs/stream",
                        "{" + RUN + ",\"on_disconnect\":\"explode\"}", 422, "invalid_field"),
                c("superseded_input unknown", "POST", "/threads/{thread}/runs",
                        "{" + RUN + ",\"superseded_input\":\"keep\"}", 422, "invalid_superseded_input"),
                c("if_not_exists unknown", "POST", "/threads/{thread}/runs", "{" + RUN + ",\"if_not_exists\":\"perhaps\"}",
                        422, "invalid_field"),
                c("on_completion unknown", "POST", "/runs", "{" + RUN + ",\"on_completion\":\"forget\"}", 422, "invalid_field"),
                c("stateless configurable a number", "POST", "/runs", "{" + RUN + ",\"config\":{\"configurable\":3}}", 422,
                        "invalid_field"),
                c("stateless wait configurable a number", "POST", "/runs/wait",
                        "{" + RUN + ",\"config\":{\"configurable\":[]}}", 422, "invalid_field"),
                c("cancel action unknown", "POST", "/threads/{thread}/runs/{run}/cancel?action=explode", null, 422,
                        "invalid_action"),
                c("cancel wait not a boolean", "POST", "/threads/{thread}/runs/{run}/cancel?wait=maybe", null, 422,
                        "invalid_query"),
                c("join stream_mode unknown", "GET", "/threads/{thread}/runs/{run}/stream?stream_mode=loud", null, 422,
                        "invalid_stream_mode"),
                c("join cancel_on_disconnect not a boolean", "GET",
                        "/threads/{thread}/runs/{run}/join?cancel_on_disconnect=perhaps", null, 422, "invalid_query"),
                // bad query parameters
                c("runs limit=abc", "GET", "/threads/{thread}/runs?limit=abc", null, 422, "invalid_query"),
                c("runs limit=0", "GET", "/threads/{thread}/runs?limit=0", null, 422, "invalid_query"),
                c("runs offset=-1", "GET", "/threads/{thread}/runs?offset=-1", null, 422, "invalid_query"),
                c("runs status unknown", "GET", "/threads/{thread}/runs?status=weird", null, 422, "invalid_status"),
                c("history limit=abc", "GET", "/threads/{thread}/history?limit=abc", null, 422, "invalid_query"),
                c("history limit=100000", "GET", "/threads/{thread}/history?limit=100000", null, 422, "invalid_query"),
                // bad Last-Event-ID
                c("Last-Event-ID not a number", "GET", "/threads/{thread}/runs/{run}/stream", null, 422, "invalid_header",
                        "Last-Event-ID", "abc"),
                c("Last-Event-ID below -1", "GET", "/threads/{thread}/runs/{run}/stream", null, 422, "invalid_header",
                        "Last-Event-ID", "-5"),
                c("Last-Event-ID on the stateless join", "GET", "/runs/{run}/stream", null, 422, "invalid_header",
                        "Last-Event-ID", "x"),
                c("Last-Event-ID on agent events", "GET", "/api/agent/events?user_id=seed-user", null, 422,
                        "invalid_header", "Last-Event-ID", "abc"),
                // the agent API
                c("agent run without user", "POST", "/api/agent/run", "{\"task\":\"t\"}", 422, "invalid_field"),
                c("agent run with a bad user id", "POST", "/api/agent/run", "{\"user_id\":\"a b\",\"task\":\"t\"}", 422,
                        "invalid_field"),
                c("agent run without task", "POST", "/api/agent/run", "{\"user_id\":\"u\"}", 422, "missing_field"),
                c("agent run with a numeric task", "POST", "/api/agent/run", "{\"user_id\":\"u\",\"task\":5}", 422,
                        "invalid_field"),
                c("agent events without user", "GET", "/api/agent/events", null, 422, "invalid_field"),
                // assistants
                c("assistants search limit=abc", "POST", "/assistants/search", "{\"limit\":\"abc\"}", 422, "invalid_field"),
                c("assistants count with a list metadata", "POST", "/assistants/count", "{\"metadata\":[]}", 422,
                        "invalid_field"));
    }

    private String fill(String template) {
        return template == null ? null
                : template.replace("{thread}", thread).replace("{run}", run).replace("{checkpoint}", checkpoint);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badRequest_answers4xxWithDetailAndCode_andChangesNothing(Case c) {
        String before = snapshot();
        String[] headers = c.headers();
        Response r = c.body() == null ? http.send(c.method(), fill(c.path()), null, headers)
                : http.send(c.method(), fill(c.path()), fill(c.body()), headers);
        assertThat(r.status()).as("%s: %s", c.name(), r.body()).isEqualTo(c.status());
        assertThat(r.code()).as("%s: %s", c.name(), r.body()).isEqualTo(c.code());
        assertThat(r.json().path("detail").asText()).isNotBlank();
        assertThat(snapshot()).as("%s changed nothing", c.name()).isEqualTo(before);
    }

    @Test
    void oversizedBody_withContentLength_is413_andChangesNothing() {
        String before = snapshot();
        String big = "{\"metadata\":{\"pad\":\"" + "x".repeat(MAX_BODY + 10) + "\"}}";
        Response r = http.post("/threads", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void oversizedBody_chunkedWithoutContentLength_is413_andChangesNothing() {
        String before = snapshot();
        byte[] big = ("{\"namespace\":[\"big\"],\"key\":\"k\",\"value\":{\"pad\":\"" + "x".repeat(MAX_BODY * 2) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Response r = http.sendBytes("PUT", "/store/items",
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("payload_too_large");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void bodyJustUnderTheLimit_isAccepted() {
        String pad = "x".repeat(MAX_BODY - 200);
        Response r = http.post("/threads", "{\"metadata\":{\"pad\":\"" + pad + "\"}}");
        assertThat(r.status()).isEqualTo(200);
        http.delete("/threads/" + r.json().path("thread_id").asText());
    }

    @Test
    void everyCaseOfTheTable_hasADistinctName() {
        List<String> names = cases().map(Case::name).toList();
        assertThat(names).doesNotHaveDuplicates();
    }
}

package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.Http.Response;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pausing for a person over HTTP, with the telco agent: closing a contract waits for approval (stating the fee),
 * the thread and its state show the interrupt as LangGraph's do, a command resumes it, and bad resumes are 4xx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InterruptsHttpTest {
    private final InMemoryTelcoBackend telco = new InMemoryTelcoBackend();
    private final TestServer t = TestServer.startWithTelco(s -> s, telco);

    @AfterAll
    void stop() {
        t.close();
    }

    private static ObjectNode telcoRun(String text) {
        ObjectNode body = obj("assistant_id", "telco");
        body.set("input", Http.humanInput(text));
        return body;
    }

    private String newThread() {
        return t.http.post("/threads", obj()).json().path("thread_id").asText();
    }

    /** The thread's close_contract operations and their statuses ("succeeded" once the contract is closed). */
    private List<String> closures(String thread) {
        return t.switchboard.operations(java.util.UUID.fromString(thread)).stream()
                .filter(op -> op.toolName().equals("close_contract")).map(op -> op.status().wireName()).toList();
    }

    @Test
    void closeMyContract_pausesForApproval_andTheThreadShowsTheInterruptAsLangGraphDoes() throws Exception {
        String thread = newThread();
        Response waited = t.http.post("/threads/" + thread + "/runs/wait", telcoRun("close my contract"));
        assertThat(waited.status()).isEqualTo(200);
        JsonNode interrupt = waited.json().path("__interrupt__").path(0);
        assertThat(interrupt.path("id").asText()).matches("[0-9a-f]{32}");
        assertThat(interrupt.at("/value/action_requests/0/name").asText()).isEqualTo("close_contract");
        assertThat(interrupt.at("/value/action_requests/0/description").asText()).contains("early termination fee of £");
        assertThat(interrupt.at("/value/review_configs/0/allowed_decisions").toString()).contains("approve", "reject");

        JsonNode th = t.http.get("/threads/" + thread).json();
        assertThat(th.path("status").asText()).isEqualTo("interrupted");
        String taskId = th.path("interrupts").fieldNames().next();
        assertThat(th.path("interrupts").path(taskId).path(0).path("id").asText()).isEqualTo(interrupt.path("id").asText());

        JsonNode state = t.http.get("/threads/" + thread + "/state").json();
        assertThat(Json.write(state.path("next"))).isEqualTo("[\"tools\"]");
        assertThat(state.at("/tasks/0/id").asText()).isEqualTo(taskId);
        assertThat(state.at("/tasks/0/interrupts/0/id").asText()).isEqualTo(interrupt.path("id").asText());
        assertThat(state.at("/interrupts/0/id").asText()).isEqualTo(interrupt.path("id").asText());
        assertThat(state.path("metadata").has("pending_interrupts")).isFalse();
        JsonNode runs = t.http.get("/threads/" + thread + "/runs").json();
        assertThat(runs.path(0).path("status").asText()).isEqualTo("success");
        assertThat(closures(thread)).isEmpty();

        ObjectNode resume = obj("assistant_id", "telco");
        resume.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"approve\"}]}}"));
        resume.set("stream_mode", Json.parse("[\"values\", \"updates\"]"));
        try (Sse sse = t.http.stream("/threads/" + thread + "/runs/stream", resume)) {
            sse.readToEnd();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> closures(thread).equals(List.of("succeeded")));
        await().atMost(Duration.ofSeconds(20)).until(() -> t.http.get("/threads/" + thread).json().path("status").asText().equals("idle"));
        assertThat(t.http.get("/threads/" + thread).json().path("interrupts").size()).isZero();
    }

    @Test
    void theStreamCarriesTheInterrupt_inUpdatesAndValues() throws Exception {
        String thread = newThread();
        ObjectNode body = telcoRun("close my contract");
        body.set("stream_mode", Json.parse("[\"values\", \"updates\"]"));
        List<Sse.Frame> frames;
        try (Sse sse = t.http.stream("/threads/" + thread + "/runs/stream", body)) {
            frames = sse.readToEnd();
        }
        assertThat(frames).anySatisfy(f -> {
            assertThat(f.event()).isEqualTo("updates");
            assertThat(f.json().path("__interrupt__").path(0).has("id")).isTrue();
        });
        assertThat(frames).anySatisfy(f -> {
            assertThat(f.event()).isEqualTo("values");
            assertThat(f.json().path("__interrupt__").path(0).at("/value/action_requests/0/name").asText())
                    .isEqualTo("close_contract");
        });
    }

    @Test
    void badResumesAndBreakpoints_are4xxWithACode_andChangeNothing() {
        String thread = newThread();
        ObjectNode resume = obj("assistant_id", "telco");
        resume.set("command", Json.parse("{\"resume\": \"yes\"}"));
        Response notPaused = t.http.post("/threads/" + thread + "/runs", resume);
        assertThat(notPaused.status()).isEqualTo(409);
        assertThat(notPaused.code()).isEqualTo("not_interrupted");

        t.http.post("/threads/" + thread + "/runs/wait", telcoRun("close my contract"));
        String checkpoint = t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText();
        for (String[] bad : new String[][] {
                {"{\"resume\": {\"decisions\": []}}", "invalid_decision"},
                {"{\"resume\": {\"decisions\": [{\"type\": \"sure\"}]}}", "invalid_decision"},
                {"{\"resume\": {\"decisions\": [{\"type\": \"edit\", \"edited_action\": {\"name\": \"close_contract\", \"args\": {\"reason\": 7}}}]}}", "invalid_arguments"},
                {"{\"resume\": {\"0123456789abcdef0123456789abcdef\": \"x\"}}", "unknown_interrupt"},
                {"{\"goto\": \"nowhere\"}", "unknown_node"},
                {"{\"fly\": 1}", "invalid_command"}}) {
            ObjectNode body = obj("assistant_id", "telco");
            body.set("command", Json.parse(bad[0]));
            Response r = t.http.post("/threads/" + thread + "/runs", body);
            assertThat(r.status()).as(bad[0]).isBetween(400, 499);
            assertThat(r.code()).as(bad[0]).isEqualTo(bad[1]);
        }
        ObjectNode both = telcoRun("hello");
        both.set("command", Json.parse("{\"resume\": 1}"));
        assertThat(t.http.post("/threads/" + thread + "/runs", both).code()).isEqualTo("invalid_command");
        ObjectNode breakpoint = telcoRun("hello");
        breakpoint.put("interrupt_before", "nowhere");
        assertThat(t.http.post("/threads/" + thread + "/runs", breakpoint).code()).isEqualTo("unknown_node");

        assertThat(t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText()).isEqualTo(checkpoint);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");
    }

    @Test
    void aPlainYes_approves_andANo_declines() throws Exception {
        String yes = newThread();
        t.http.post("/threads/" + yes + "/runs/wait", telcoRun("close my contract"));
        t.http.post("/threads/" + yes + "/runs/wait", telcoRun("yes, go ahead"));
        await().atMost(Duration.ofSeconds(20)).until(() -> closures(yes).equals(List.of("succeeded")));

        String no = newThread();
        t.http.post("/threads/" + no + "/runs/wait", telcoRun("close my contract"));
        t.http.post("/threads/" + no + "/runs/wait", telcoRun("no, wait"));
        assertThat(t.http.get("/threads/" + no).json().path("status").asText()).isEqualTo("idle");
        assertThat(closures(no)).isEmpty();
    }

    @Test
    void interruptBefore_fromTheRequest_pausesBeforeTheModel() {
        String thread = newThread();
        ObjectNode body = telcoRun("what's my data balance?");
        body.put("interrupt_before", "*");
        t.http.post("/threads/" + thread + "/runs/wait", body);
        JsonNode state = t.http.get("/threads/" + thread + "/state").json();
        assertThat(Json.write(state.path("next"))).isEqualTo("[\"agent\"]");
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("interrupted");

        ObjectNode go = obj("assistant_id", "telco");
        go.putNull("input");
        t.http.post("/threads/" + thread + "/runs/wait", go);
        assertThat(t.http.get("/threads/" + thread).json().path("status").asText()).isEqualTo("idle");
    }
}

package dev.switchboard.server;

import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code tasks}, {@code checkpoints}, {@code debug} and {@code events} stream modes, on create and on join,
 * with the field sets the LangGraph.js peer sends (recorded from the peer for a tool-using run of its graph; see
 * docs/streaming.md) and the same order of tasks and steps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphStreamModesHttpTest {
    private static final Set<String> TASK_START = Set.of("id", "name", "input", "triggers", "interrupts", "metadata");
    private static final Set<String> TASK_RESULT = Set.of("id", "name", "result", "interrupts", "error");
    private static final Set<String> CHECKPOINT = Set.of("values", "metadata", "next");
    private static final Set<String> CHECKPOINT_METADATA = Set.of("source", "step", "parents");
    private static final Set<String> DEBUG = Set.of("step", "type", "timestamp", "payload");
    private static final Set<String> DEBUG_CHECKPOINT = Set.of("config", "values", "metadata", "next", "tasks",
            "checkpoint", "parent_checkpoint");
    private static final Set<String> EVENT = Set.of("event", "data", "run_id", "name", "tags", "metadata");

    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    private static Set<String> keys(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The mode's frames of one tool-using run, streamed on create, then the same run's frames on a join. */
    private List<List<JsonNode>> createAndJoin(String mode) throws Exception {
        String thread = t.newThread();
        ObjectNode body = scriptedRun("use the tool", 2, 0, "stream_mode", List.of(mode));
        Http.configurable(body).put("tool_sleep_ms", 10);
        List<JsonNode> created = new ArrayList<>();
        String runId;
        try (Sse sse = http.stream("/threads/" + thread + "/runs/stream", body)) {
            runId = sse.next().orElseThrow().json().path("run_id").asText();
            for (Sse.Frame f : sse.readToEnd()) {
                if (mode.equals(f.event())) {
                    created.add(f.json());
                }
            }
        }
        List<JsonNode> joined = new ArrayList<>();
        try (Sse sse = http.join("/threads/" + thread + "/runs/" + runId + "/stream?stream_mode=" + mode)) {
            for (Sse.Frame f : sse.readToEnd()) {
                if (mode.equals(f.event())) {
                    joined.add(f.json());
                }
            }
        }
        return List.of(created, joined);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tasks", "checkpoints", "debug", "events"})
    void graphMode_onCreateAndOnJoin_sendsThePeersFields_inTheLoopsOrder(String mode) throws Exception {
        List<List<JsonNode>> both = createAndJoin(mode);
        List<JsonNode> created = both.get(0);
        assertThat(both.get(1)).as("a join replays the same %s frames", mode).hasSameSizeAs(created);
        for (int i = 0; i < created.size(); i++) {
            JsonNode a = created.get(i).deepCopy();
            JsonNode b = both.get(1).get(i).deepCopy();
            if (mode.equals("debug")) {
                ((ObjectNode) a).remove("timestamp");
                ((ObjectNode) b).remove("timestamp");
            }
            assertThat(b).as("frame %d", i).isEqualTo(a);
        }
        switch (mode) {
            case "tasks" -> {
                assertThat(created).extracting(n -> n.path("name").asText() + (n.has("result") ? "=" : "+"))
                        .containsExactly("agent+", "agent=", "tools+", "tools=", "agent+", "agent=");
                for (JsonNode n : created) {
                    assertThat(keys(n)).isEqualTo(n.has("result") ? new TreeSet<>(TASK_RESULT) : new TreeSet<>(TASK_START));
                }
                assertThat(created.get(0).path("triggers").get(0).asText()).isEqualTo("branch:to:agent");
                assertThat(created.get(0).path("id")).isEqualTo(created.get(1).path("id"));
                assertThat(created.get(3).path("result").path("messages").get(0).path("type").asText()).isEqualTo("tool");
            }
            case "checkpoints" -> {
                assertThat(created).extracting(n -> n.path("metadata").path("source").asText() + ":"
                        + n.path("metadata").path("step").asInt() + ":" + n.path("next"))
                        .containsExactly("input:-1:[\"agent\"]", "loop:0:[\"tools\"]", "loop:1:[\"agent\"]", "loop:2:[]");
                for (JsonNode n : created) {
                    assertThat(keys(n)).isEqualTo(new TreeSet<>(CHECKPOINT));
                    assertThat(keys(n.path("metadata"))).isEqualTo(new TreeSet<>(CHECKPOINT_METADATA));
                }
            }
            case "debug" -> {
                assertThat(created).extracting(n -> n.path("type").asText() + "@" + n.path("step").asInt())
                        .containsExactly("checkpoint@-1", "task@0", "task_result@0", "checkpoint@0", "task@1",
                                "task_result@1", "checkpoint@1", "task@2", "task_result@2", "checkpoint@2");
                for (JsonNode n : created) {
                    assertThat(keys(n)).isEqualTo(new TreeSet<>(DEBUG));
                    if (n.path("type").asText().equals("checkpoint")) {
                        Set<String> expected = new TreeSet<>(DEBUG_CHECKPOINT);
                        if (!n.path("payload").path("parent_checkpoint").isNull()) {
                            expected.add("parent_config");
                        }
                        assertThat(keys(n.path("payload"))).isEqualTo(expected);
                        assertThat(n.path("payload").path("checkpoint").path("checkpoint_id").asText())
                                .as("the stored checkpoint's id").isNotBlank();
                    }
                }
                // The debug frame names the checkpoint the thread's state shows.
                JsonNode last = created.getLast().path("payload").path("checkpoint").path("checkpoint_id");
                assertThat(last.asText()).isNotBlank();
            }
            case "events" -> {
                List<String> kinds = created.stream().map(n -> n.path("event").asText() + ":" + n.path("name").asText())
                        .filter(k -> !k.startsWith("on_chat_model_stream")).toList();
                assertThat(kinds.getFirst()).isEqualTo("on_chain_start:scripted");
                assertThat(kinds.getLast()).isEqualTo("on_chain_end:scripted");
                assertThat(kinds).containsSubsequence("on_chain_start:agent", "on_chat_model_start:ChatModel",
                        "on_chat_model_end:ChatModel", "on_chain_end:agent", "on_chain_start:tools", "on_chain_end:tools",
                        "on_chain_start:agent", "on_chat_model_end:ChatModel", "on_chain_end:agent");
                assertThat(created).anyMatch(n -> n.path("event").asText().equals("on_chat_model_stream")
                        && n.path("data").has("chunk"));
                for (JsonNode n : created) {
                    assertThat(keys(n)).isEqualTo(new TreeSet<>(EVENT));
                }
                JsonNode nodeStart = created.stream().filter(n -> n.path("name").asText().equals("tools")).findFirst()
                        .orElseThrow();
                assertThat(nodeStart.path("tags").get(0).asText()).isEqualTo("graph:step:1");
            }
            default -> throw new AssertionError(mode);
        }
    }
}

package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stuck parts (issue 17): a model that never answers and a quick tool that ignores interruption end their run
 * in error with a message naming what timed out, the thread stays usable, and other threads' runs go on.
 */
class StuckStepsHttpTest {
    private static final Duration MODEL_SILENCE = Duration.ofMillis(1500);
    private static final Duration TOOL_LIMIT = Duration.ofMillis(800);

    /** Lets the tool that ignores interruption finally return, so the test leaves no spinning thread. */
    private static final AtomicBoolean released = new AtomicBoolean();

    private static TestServer t;

    @BeforeAll
    static void start() {
        t = TestServer.startWith(stuckGraph(), b -> b.stepTimeouts(MODEL_SILENCE, TOOL_LIMIT));
    }

    @AfterAll
    static void stop() {
        released.set(true);
        t.close();
    }

    @Test
    void aModelThatHangsForever_endsItsRunInError_namingTheModelCall_andTheThreadStaysUsable() throws Exception {
        String stuck = t.newThread();
        String other = t.newThread();
        String runId = t.http.post("/threads/" + stuck + "/runs", run("hang")).json().path("run_id").asText();
        await().atMost(Duration.ofSeconds(5)).until(() -> "busy".equals(status(stuck)));

        // Nothing else stalls: another thread's run completes while the model hangs.
        long before = System.nanoTime();
        assertThat(t.http.post("/threads/" + other + "/runs/wait", run("hello")).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(MODEL_SILENCE);
        assertThat(lastText(other)).isEqualTo("hi");

        await().atMost(Duration.ofSeconds(10)).until(() -> "error".equals(runStatus(stuck, runId)));
        assertThat(status(stuck)).isEqualTo("error");

        // The thread takes the next run at once; its stream tells why the earlier one failed.
        try (Sse sse = t.http.stream("/threads/" + stuck + "/runs/stream", run("hang"))) {
            Sse.Frame error = sse.readToEnd().stream().filter(f -> "error".equals(f.event())).findFirst().orElseThrow();
            assertThat(error.json().path("code").asText()).isEqualTo("step_timeout");
            assertThat(error.json().path("message").asText()).contains("model call", "SWITCHBOARD_MODEL_TIMEOUT_MS");
        }
        assertThat(t.http.post("/threads/" + stuck + "/runs/wait", run("hello")).status()).isEqualTo(200);
        assertThat(lastText(stuck)).isEqualTo("hi");
    }

    @Test
    void aStreamingModel_slowerInTotalThanTheLimit_butNeverSilentThatLong_finishes() {
        String thread = t.newThread();
        assertThat(t.http.post("/threads/" + thread + "/runs/wait", run("drip")).status()).isEqualTo(200);
        assertThat(lastText(thread)).isEqualTo("drip drip drip drip drip drip ");
    }

    @Test
    void aQuickToolThatIgnoresInterruption_endsItsRunInError_closesTheCall_andFreesTheThread() throws Exception {
        String thread = t.newThread();
        try (Sse sse = t.http.stream("/threads/" + thread + "/runs/stream", run("busy"))) {
            Sse.Frame error = sse.readToEnd().stream().filter(f -> "error".equals(f.event())).findFirst().orElseThrow();
            assertThat(error.json().path("code").asText()).isEqualTo("step_timeout");
            assertThat(error.json().path("message").asText()).contains("spin", "SWITCHBOARD_TOOL_TIMEOUT_MS");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> "error".equals(status(thread)));
        // The dangling call is closed, so the conversation stays valid for a vendor model.
        JsonNode messages = t.http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("tool");
        assertThat(released).isFalse(); // the tool is still spinning, yet the thread takes its next run
        assertThat(t.http.post("/threads/" + thread + "/runs/wait", run("hello")).status()).isEqualTo(200);
        assertThat(lastText(thread)).isEqualTo("hi");
    }

    private static ObjectNode run(String text) {
        ObjectNode body = Http.obj();
        body.put("assistant_id", "stuck");
        body.set("input", Http.humanInput(text));
        return body;
    }

    private static String status(String thread) {
        return t.http.get("/threads/" + thread).json().path("status").asText();
    }

    private static String runStatus(String thread, String runId) {
        return t.http.get("/threads/" + thread + "/runs/" + runId).json().path("status").asText();
    }

    private static String lastText(String thread) {
        JsonNode messages = t.http.get("/threads/" + thread + "/state").json().path("values").path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    /** A model that hangs on "hang", drips on "drip", calls the spinning tool on "busy", and else says "hi". */
    private static AgentGraph stuckGraph() {
        ChatModel model = (request, listener) -> {
            List<Message> messages = request.messages();
            Message last = messages.get(messages.size() - 1);
            if (last instanceof ToolMessage) {
                return AiMessage.of("done");
            }
            switch (last.content()) {
                case "hang" -> {
                    java.lang.Thread.sleep(Long.MAX_VALUE);
                    throw new AssertionError("unreachable");
                }
                case "drip" -> {
                    StringBuilder all = new StringBuilder();
                    for (int i = 0; i < 6; i++) {
                        java.lang.Thread.sleep(MODEL_SILENCE.toMillis() / 4);
                        listener.onToken("drip ");
                        all.append("drip ");
                    }
                    return AiMessage.of(all.toString());
                }
                case "busy" -> {
                    return AiMessage.ofToolCalls("", List.of(new ToolCall("call_spin", "spin", Json.object())));
                }
                default -> {
                    listener.onToken("hi");
                    return AiMessage.of("hi");
                }
            }
        };
        Tool spin = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("spin", "Never returns while the test runs", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                while (!released.get()) {
                    try {
                        java.lang.Thread.sleep(20);
                    } catch (InterruptedException ignored) {
                        // deliberately ignores interruption: the stuck part this test is about
                    }
                }
                return "released";
            }
        };
        return AgentGraph.of("stuck", "You are stuck.", c -> model, List.of(spin));
    }
}

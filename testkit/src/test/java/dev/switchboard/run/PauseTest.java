package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.Pause;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.tool.ApprovalPolicy;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pausing for a person on the runtime: interrupts from tools, breakpoints, approvals with each decision, the
 * spoken answers, and what a pause does to the thread's status, state and stream.
 */
class PauseTest {
    static final String GRAPH = "pausing";

    final RecordingBackend backend = new RecordingBackend();
    final AtomicInteger refunds = new AtomicInteger();
    final AtomicInteger lookups = new AtomicInteger();
    RuntimeHarness h = new RuntimeHarness(Switchboard.builder().graph(graph()).build());

    @AfterEach
    void close() {
        h.close();
    }

    /**
     * The model: "refund N" calls refund (approval always), "close" calls close_contract (long-running, approval
     * always), "ask" calls ask_name (a tool that asks twice), "look" calls lookup (no approval) and refund together;
     * after tool results it answers "done: <results>"; otherwise it echoes.
     */
    AgentGraph graph() {
        ChatModel model = (request, listener) -> {
            List<Message> messages = request.messages();
            Message last = messages.getLast();
            if (last instanceof ToolMessage) {
                StringBuilder text = new StringBuilder("done:");
                for (int i = messages.size() - 1; i >= 0 && messages.get(i) instanceof ToolMessage t; i--) {
                    text.append(' ').append(t.content());
                }
                return AiMessage.of(text.toString());
            }
            String said = last.content();
            if (said.startsWith("refund")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("refund", args("amount", 10))));
            }
            if (said.startsWith("close")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("close_contract", Json.object().put("target", "contract"))));
            }
            if (said.startsWith("ask")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("ask_name", Json.object())));
            }
            if (said.startsWith("hold")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("hold", Json.object())));
            }
            if (said.startsWith("status")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("check_status", Json.object())));
            }
            if (said.startsWith("look")) {
                return AiMessage.ofToolCalls("", List.of(ToolCall.of("lookup", Json.object()),
                        ToolCall.of("refund", args("amount", 5))));
            }
            return AiMessage.of("echo: " + said);
        };
        return AgentGraph.of(GRAPH, "", c -> model, List.of(new Refund(), new AskName(), new Lookup(), new Hold(), approved(
                new ScriptedOperationTool("close_contract", backend))));
    }

    static ObjectNode args(String key, int value) {
        return Json.object().put(key, value);
    }

    final class Refund implements Tool {
        public ToolSpec spec() {
            ObjectNode schema = ToolSpec.emptySchema();
            schema.with("properties").putObject("amount").put("type", "integer");
            schema.putArray("required").add("amount");
            return ToolSpec.quick("refund", "refunds an amount", schema);
        }

        public String call(ObjectNode arguments, ToolContext context) {
            refunds.incrementAndGet();
            return "refunded " + arguments.path("amount").asInt();
        }

        public ApprovalPolicy approval() {
            return ApprovalPolicy.always((a, c) -> "Refund " + a.path("amount").asInt() + " EUR");
        }
    }

    static final class AskName implements Tool {
        public ToolSpec spec() {
            return ToolSpec.quick("ask_name", "asks the customer's name", null);
        }

        public String call(ObjectNode arguments, ToolContext context) {
            JsonNode first = context.interrupt(Json.object().put("question", "first name?"));
            JsonNode last = context.interrupt(Json.object().put("question", "last name?"));
            return "hello " + first.asText() + " " + last.asText();
        }
    }

    final class Lookup implements Tool {
        public ToolSpec spec() {
            return ToolSpec.quick("lookup", "looks up", null);
        }

        public String call(ObjectNode arguments, ToolContext context) {
            lookups.incrementAndGet();
            return "found";
        }
    }

    /** Holds (until interrupted) once approved. */
    static final class Hold implements Tool {
        public ToolSpec spec() {
            return ToolSpec.quick("hold", "holds", null);
        }

        public String call(ObjectNode arguments, ToolContext context) throws Exception {
            context.emit(Json.object().put("holding", true));
            new java.util.concurrent.CountDownLatch(1).await();
            return "never";
        }

        public ApprovalPolicy approval() {
            return ApprovalPolicy.always(null);
        }
    }

    static Tool approved(Tool inner) {
        return new Tool() {
            public ToolSpec spec() {
                return inner.spec();
            }

            public String call(ObjectNode arguments, ToolContext context) throws Exception {
                return inner.call(arguments, context);
            }

            public ApprovalPolicy approval() {
                return ApprovalPolicy.always((a, c) -> "Close the contract (early termination fee 50 EUR)");
            }
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    Run say(UUID thread, String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        return h.switchboard.submit(RunRequest.of(thread, GRAPH, input));
    }

    Run resume(UUID thread, JsonNode value) {
        return h.switchboard.submit(RunRequest.of(thread, GRAPH, null).withCommand(new Command(value, null, null)));
    }

    Run decide(UUID thread, String decisionsJson) {
        return resume(thread, Json.parse("{\"decisions\": " + decisionsJson + "}"));
    }

    Run ended(Run run) throws Exception {
        return h.awaitEnd(run).orElseThrow();
    }

    Pause pause(UUID thread) {
        return h.switchboard.state(thread, null).flatMap(Checkpoint::pause).orElseThrow(() -> new AssertionError("not paused"));
    }

    ThreadStatus status(UUID thread) {
        return h.switchboard.thread(thread).status();
    }

    String lastText(UUID thread) {
        return h.messages(thread).getLast().content();
    }

    // ---- approvals -------------------------------------------------------------------------------------------

    @Test
    void approvalTool_pausesBeforeItRuns_withLangChainsRequestShape() throws Exception {
        UUID t = h.newThread();
        Run run = ended(say(t, "refund please"));

        assertThat(run.status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(refunds).hasValue(0);
        Pause p = pause(t);
        assertThat(p.kind()).isEqualTo(Pause.Kind.APPROVAL);
        assertThat(p.node()).isEqualTo("tools");
        JsonNode value = p.interrupts().getFirst().value();
        assertThat(value.at("/action_requests/0/name").asText()).isEqualTo("refund");
        assertThat(value.at("/action_requests/0/args/amount").asInt()).isEqualTo(10);
        assertThat(value.at("/action_requests/0/description").asText()).isEqualTo("Refund 10 EUR");
        assertThat(value.at("/review_configs/0/action_name").asText()).isEqualTo("refund");
        assertThat(value.at("/review_configs/0/allowed_decisions").toString())
                .isEqualTo("[\"approve\",\"edit\",\"reject\",\"respond\"]");
        assertThat(p.interrupts().getFirst().id()).matches("[0-9a-f]{32}");
        assertThat(h.switchboard.state(t, null).orElseThrow().next()).containsExactly("tools");
        List<RunEvent> events = h.events(run.runId());
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEvent.Updates.class,
                u -> assertThat(u.node()).isEqualTo("__interrupt__")));
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEvent.Values.class,
                v -> assertThat(v.values().has("__interrupt__")).isTrue()));
    }

    @Test
    void whenTheStreamEnds_theThreadAlreadyShowsThePause() throws Exception {
        for (int i = 0; i < 20; i++) {
            UUID t = h.newThread();
            Run run = say(t, "refund please");
            h.awaitEvent(run.runId(), e -> e instanceof RunEvent.End);
            assertThat(status(t)).as("attempt " + i).isEqualTo(ThreadStatus.INTERRUPTED);
            // The run's own status turns terminal just after its stream ends (whoever sees it finished sees the
            // stream ended): awaited, not assumed.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> h.switchboard.run(t, run.runId()).status() == RunStatus.SUCCESS);
        }
    }

    @Test
    void approve_runsTheCall_andTheAgentAnswers() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(decide(t, "[{\"type\": \"approve\"}]"));

        assertThat(refunds).hasValue(1);
        assertThat(lastText(t)).isEqualTo("done: refunded 10");
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        h.assertHistoryValid(t);
    }

    @Test
    void edit_runsTheCallWithTheNewArguments_andTheHistoryShowsThem() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(decide(t, "[{\"type\": \"edit\", \"edited_action\": {\"name\": \"refund\", \"args\": {\"amount\": 3}}}]"));

        assertThat(lastText(t)).isEqualTo("done: refunded 3");
        AiMessage call = (AiMessage) h.messages(t).get(1);
        assertThat(call.toolCalls().getFirst().args().path("amount").asInt()).isEqualTo(3);
        h.assertHistoryValid(t);
    }

    @Test
    void reject_answersTheCallWithTheReason_andNothingRuns() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(decide(t, "[{\"type\": \"reject\", \"message\": \"not today\"}]"));

        assertThat(refunds).hasValue(0);
        List<Message> messages = h.messages(t);
        ToolMessage result = (ToolMessage) messages.get(2);
        assertThat(result.isError()).isTrue();
        assertThat(result.content()).isEqualTo("not today");
        assertThat(lastText(t)).isEqualTo("done: not today");
        h.assertHistoryValid(t);
    }

    @Test
    void respond_answersTheCallWithThePersonsMessage() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(decide(t, "[{\"type\": \"respond\", \"message\": \"a person will call you\"}]"));

        assertThat(refunds).hasValue(0);
        ToolMessage result = (ToolMessage) h.messages(t).get(2);
        assertThat(result.isError()).isFalse();
        assertThat(result.content()).isEqualTo("a person will call you");
        h.assertHistoryValid(t);
    }

    @Test
    void callsWithoutApproval_waitForTheApprovedOnes_andRunOnce() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "look it up"));
        assertThat(lookups).hasValue(0); // the step waits as a whole; nothing ran before the decision
        assertThat(pause(t).callIds()).hasSize(1);
        ended(decide(t, "[{\"type\": \"approve\"}]"));

        assertThat(lookups).hasValue(1);
        assertThat(refunds).hasValue(1);
        h.assertHistoryValid(t);
    }

    @Test
    void badResumes_areRefused_andChangeNothing() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        String before = h.switchboard.state(t, null).orElseThrow().checkpointId().toString();

        assertThatThrownBy(() -> decide(t, "[]")).isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                e -> assertThat(e.code()).isEqualTo("invalid_decision"));
        assertThatThrownBy(() -> decide(t, "[{\"type\": \"edit\", \"edited_action\": {\"name\": \"refund\", \"args\": {\"amount\": \"ten\"}}}]"))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("invalid_arguments"));
        assertThatThrownBy(() -> decide(t, "[{\"type\": \"maybe\"}]"))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("invalid_decision"));
        assertThatThrownBy(() -> resume(t, Json.parse("{\"0123456789abcdef0123456789abcdef\": {\"decisions\": []}}")))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("unknown_interrupt"));
        ObjectNode restricted = Json.object();
        restricted.putObject("configurable").putObject("interrupt_on").putObject("refund").putArray("allowed_decisions").add("approve");
        assertThatThrownBy(() -> h.switchboard.submit(RunRequest.of(t, GRAPH, null).withConfig(restricted)
                .withCommand(new Command(Json.parse("{\"decisions\": [{\"type\": \"reject\"}]}"), null, null))))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("decision_not_allowed"));

        assertThat(h.switchboard.state(t, null).orElseThrow().checkpointId().toString()).isEqualTo(before);
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(h.runs(t)).hasSize(1);
    }

    @Test
    void resume_onAThreadThatIsNotInterrupted_isAConflict() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "hello"));
        assertThatThrownBy(() -> resume(t, Json.mapper().getNodeFactory().textNode("x")))
                .isInstanceOfSatisfying(SwitchboardException.Conflict.class, e -> assertThat(e.code()).isEqualTo("not_interrupted"));
    }

    @Test
    void resumeByInterruptId_picksThatInterruptsValue() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        String id = pause(t).interrupts().getFirst().id();
        ended(resume(t, Json.parse("{\"" + id + "\": {\"decisions\": [{\"type\": \"approve\"}]}}")));
        assertThat(refunds).hasValue(1);
    }

    @Test
    void longRunningTool_approvalComesBeforeTheOperationStarts() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "close my contract"));
        assertThat(h.switchboard.operations(t)).isEmpty();
        assertThat(pause(t).interrupts().getFirst().value().at("/action_requests/0/description").asText())
                .contains("fee 50 EUR");

        ended(decide(t, "[{\"type\": \"approve\"}]"));
        assertThat(backend.appliedCount()).isEqualTo(1);
        assertThat(h.switchboard.operations(t)).hasSize(1);
        h.assertHistoryValid(t);
    }

    // ---- tool interrupts -------------------------------------------------------------------------------------

    @Test
    void toolInterrupts_inSequence_reExecuteTheToolWithEachResumeValue() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "ask me"));
        assertThat(pause(t).interrupts().getFirst().value().path("question").asText()).isEqualTo("first name?");

        ended(resume(t, Json.mapper().getNodeFactory().textNode("Ada")));
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(pause(t).interrupts().getFirst().value().path("question").asText()).isEqualTo("last name?");

        ended(resume(t, Json.mapper().getNodeFactory().textNode("Lovelace")));
        assertThat(lastText(t)).isEqualTo("done: hello Ada Lovelace");
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        h.assertHistoryValid(t);
    }

    @Test
    void runWithoutInput_onAnApprovalPause_asksAgain() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(h.switchboard.submit(RunRequest.of(t, GRAPH, null)));
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(refunds).hasValue(0);
    }

    // ---- breakpoints -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"before:agent", "before:tools", "after:agent", "after:tools"})
    void breakpoints_pauseAroundEachNode_andANullInputContinues(String spec) throws Exception {
        String[] parts = spec.split(":");
        java.util.Set<String> node = java.util.Set.of(parts[1]);
        Breakpoints breakpoints = parts[0].equals("before") ? new Breakpoints(node, java.util.Set.of())
                : new Breakpoints(java.util.Set.of(), node);
        UUID t = h.newThread();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "look it up");
        ObjectNode noApproval = Json.object();
        noApproval.putObject("configurable").putObject("interrupt_on").put("refund", false);
        ended(h.switchboard.submit(RunRequest.of(t, GRAPH, input).withConfig(noApproval).withBreakpoints(breakpoints)));

        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        String expectedNext = switch (spec) {
            case "before:agent", "after:tools" -> "agent";
            default -> "tools";
        };
        assertThat(h.switchboard.state(t, null).orElseThrow().next()).containsExactly(expectedNext);
        assertThat(pause(t).interrupts()).isEmpty();

        // Resumed (without the breakpoint this time), the run goes on to the answer.
        for (int i = 0; i < 3 && status(t) == ThreadStatus.INTERRUPTED; i++) {
            ended(h.switchboard.submit(RunRequest.of(t, GRAPH, null).withConfig(noApproval)));
        }
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        assertThat(lastText(t)).startsWith("done:");
        assertThat(lookups).hasValue(1);
        h.assertHistoryValid(t);
    }

    // ---- spoken approvals ------------------------------------------------------------------------------------

    @Test
    void spokenYes_approves_andTheHistoryReadsInOrder() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(say(t, "yes, go ahead"));

        assertThat(refunds).hasValue(1);
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        assertThat(h.transcript(t)).containsExactly("human:refund please", "ai:", "tool:Not run yet: it waited for the "
                + "customer's approval, given in the next message; it is made again below.", "human:yes, go ahead", "ai:",
                "tool:refunded 10", "ai:done: refunded 10");
        h.assertHistoryValid(t);
    }

    @Test
    void spokenNo_declines_andTheAgentAnswers() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(say(t, "no, wait"));

        assertThat(refunds).hasValue(0);
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        List<Message> messages = h.messages(t);
        assertThat(messages.get(2).content()).contains("declined").contains("no, wait");
        assertThat(messages.get(3)).isInstanceOf(HumanMessage.class);
        assertThat(lastText(t)).isEqualTo("echo: no, wait");
        h.assertHistoryValid(t);
    }

    @Test
    void somethingElse_declinesThePendingAction_andAnswersTheNewMessage() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "close my contract"));
        ended(say(t, "what is my balance?"));

        assertThat(backend.appliedCount()).isZero();
        assertThat(h.switchboard.operations(t)).isEmpty();
        assertThat(lastText(t)).isEqualTo("echo: what is my balance?");
        assertThat(status(t)).isEqualTo(ThreadStatus.IDLE);
        h.assertHistoryValid(t);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(MultitaskStrategy.class)
    void aNewMessageWithAnyStrategy_onAPausedThread_isItsAnswer(MultitaskStrategy strategy) throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "yes");
        // A paused thread has no running run: reject admits, and no strategy cancels anything.
        Run answer = ended(h.switchboard.submit(RunRequest.of(t, GRAPH, input).withStrategy(strategy)));
        assertThat(answer.status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(refunds).hasValue(1);
        assertThat(h.runs(t)).extracting(Run::status).containsOnly(RunStatus.SUCCESS);
        h.assertHistoryValid(t);
    }

    @Test
    void theSecondaryLane_neverPauses_andItsStatusAnswerNamesThePendingApproval() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ObjectNode input = Json.object();
        input.put("thread_type", "secondary");
        input.putArray("messages").addObject().put("type", "human").put("content", "status?");
        ended(h.switchboard.submit(RunRequest.of(t, GRAPH, input)));

        List<Message> interim = dev.switchboard.thread.ConversationState.fromJson(
                h.switchboard.state(t, null).orElseThrow().values()).interimMessages();
        assertThat(interim).anySatisfy(m -> assertThat(m.content()).contains("Waiting for your approval of: Refund 10 EUR"));
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(refunds).hasValue(0);
    }

    @Test
    void explicitCommand_winsOverTheWords() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "refund please"));
        ended(decide(t, "[{\"type\": \"reject\"}]"));
        assertThat(refunds).hasValue(0);
    }

    // ---- with the rest -----------------------------------------------------------------------------------------

    @Test
    void rollbackOfAResumedRun_returnsTheThreadToItsPause() throws Exception {
        UUID t = h.newThread();
        ended(say(t, "hold it"));
        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        String pausedAt = h.switchboard.state(t, null).orElseThrow().checkpointId().toString();

        Run resumed = decide(t, "[{\"type\": \"approve\"}]");
        h.awaitEvent(resumed.runId(), e -> e instanceof RunEvent.Custom c && c.payload().path("holding").asBoolean());
        h.switchboard.cancel(t, resumed.runId(), CancelAction.ROLLBACK, true);

        assertThat(status(t)).isEqualTo(ThreadStatus.INTERRUPTED);
        assertThat(h.switchboard.state(t, null).orElseThrow().checkpointId().toString()).isEqualTo(pausedAt);
        assertThat(pause(t).kind()).isEqualTo(Pause.Kind.APPROVAL);
        // Still a decision away from a complete history: answered, it is valid.
        ended(decide(t, "[{\"type\": \"reject\"}]"));
        h.assertHistoryValid(t);
    }
}

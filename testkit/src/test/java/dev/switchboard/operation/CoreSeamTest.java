package dev.switchboard.operation;

import static dev.switchboard.operation.LaneHarness.CHANGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.run.InMemoryRunStore;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import dev.switchboard.run.SupersededInput;
import dev.switchboard.store.InMemoryItemStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.testkit.Faults;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The seams where runs, operations, lanes and recovery meet (issue "core integrity"): each test reproduces one
 * defect found against a running server, named as the behaviour that must hold.
 */
class CoreSeamTest {
    private LaneHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private static long outcomesInThread(List<Message> messages, Operation op) {
        return messages.stream().filter(m -> m instanceof ToolMessage t && t.content().contains(op.operationId().toString())
                && t.content().contains("\"status\":\"" + op.status().wireName() + "\"")).count();
    }

    private void awaitReportedAndQuiet(UUID thread) {
        await().atMost(LaneHarness.WAIT).until(() -> h.switchboard.operations(thread).stream().allMatch(Operation::reported)
                && h.switchboard.runs(thread, RunQuery.all()).stream().allMatch(r -> r.status().isTerminal()));
    }

    // ---- (1) rollback × operation in flight ------------------------------------------------------------

    @Test
    void rollbackWithCarry_whileOperationInFlight_successorSeesTheOperationAndNothingIsAppliedTwice() throws Exception {
        h = new LaneHarness(Duration.ofSeconds(10));
        UUID thread = h.newThread();
        Run first = h.send(thread, "please change my plan to gold");
        h.awaitProgress(first, 10);

        Run second = h.switchboard.submit(LaneHarness.request(thread, "yes, change my plan to gold now",
                MultitaskStrategy.ROLLBACK, "main", 0, null).withSupersededInput(SupersededInput.CARRY));
        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        // The successor's history shows the purchase in flight: its call and a "still running" result.
        List<Message> seen = h.messages(thread);
        assertThat(seen).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(AiMessage.class,
                ai -> assertThat(ai.toolCalls()).extracting(ToolCall::name).contains(CHANGE)));
        assertThat(seen).anySatisfy(m -> assertThat(m.content()).contains("still running"));
        assertThat(h.violations(thread)).isEmpty();

        h.release();
        awaitReportedAndQuiet(thread);
        assertThat(h.switchboard.operations(thread)).as("no second purchase was started").hasSize(1);
        assertThat(h.backend.appliedCount()).isEqualTo(1);
        Operation op = h.onlyOperation(thread);
        assertThat(outcomesInThread(h.messages(thread), op)).as("the outcome is in the thread exactly once").isEqualTo(1);
        assertThat(h.lastAnswer(thread)).startsWith("SYNTHESIS: change_plan succeeded");
        assertThat(h.violations(thread)).isEmpty();
    }

    @Test
    void rollback_afterTheSynthesisWasWritten_theOutcomeIsReportedAgain() throws Exception {
        CountDownLatch synthesized = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        AtomicBoolean armed = new AtomicBoolean(true);
        h = new LaneHarness(Duration.ofSeconds(10), m -> m, b -> b.itemStore(Faults.wrap(ItemStore.class,
                new InMemoryItemStore(Clock.systemUTC()), (method, args) -> {
                    if (method.equals("put") && args.length > 1 && CoordinationKeys.MAIN_OPERATION_COMPLETE.equals(args[1])
                            && armed.getAndSet(false)) {
                        synthesized.countDown();
                        try {
                            hold.await();
                        } catch (InterruptedException e) {
                            java.lang.Thread.currentThread().interrupt();
                        }
                    }
                })), List.of());
        UUID thread = h.newThread();
        Run first = h.send(thread, "please change my plan to gold");
        h.awaitProgress(first, 10);
        h.release();
        assertThat(synthesized.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // The synthesis is written and the operation marked reported; now a rollback lands before the run ends.
        Run second = h.send(thread, "hello again", MultitaskStrategy.ROLLBACK, "main", 0);
        hold.countDown();
        h.awaitEnd(second);
        awaitReportedAndQuiet(thread);

        Operation op = h.onlyOperation(thread);
        assertThat(op.reported()).isTrue();
        assertThat(outcomesInThread(h.messages(thread), op)).as("the outcome is in the thread exactly once").isEqualTo(1);
        assertThat(h.messages(thread)).extracting(Message::content).anySatisfy(c -> assertThat(c).startsWith("SYNTHESIS: change_plan succeeded"));
        assertThat(h.violations(thread)).isEmpty();
    }

    // ---- (2) a run that ends in error ------------------------------------------------------------------

    @Test
    void runEndingInError_afterAToolCall_leavesNoToolCallWithoutResult() throws Exception {
        AtomicBoolean failToolsStep = new AtomicBoolean(true);
        h = new LaneHarness(Duration.ofSeconds(10), m -> m, b -> b.checkpointStore(Faults.wrap(CheckpointStore.class,
                new InMemoryCheckpointStore(), (method, args) -> {
                    if (method.equals("put") && ((Checkpoint) args[0]).metadata().path("writes").has("tools")
                            && failToolsStep.getAndSet(false)) {
                        throw new Faults.InjectedFault("tools step checkpoint");
                    }
                })), List.of());
        UUID thread = h.newThread();
        Run run = h.send(thread, "what's my balance?", MultitaskStrategy.ENQUEUE, "main", 0);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.ERROR);
        assertThat(h.messages(thread)).last().isInstanceOf(ToolMessage.class);
        assertThat(h.violations(thread)).isEmpty();
    }

    @Test
    void failedReportRun_isRetriedAndTheOutcomeReachesTheThreadOnce() throws Exception {
        AtomicInteger synthesisFailures = new AtomicInteger(100);
        h = new LaneHarness(Duration.ofSeconds(10), m -> failingSynthesis(m, synthesisFailures), b -> { }, List.of());
        UUID thread = h.newThread();
        Run first = h.send(thread, "please change my plan to gold");
        h.awaitProgress(first, 10);
        Run other = h.send(thread, "forget it, what's my balance", MultitaskStrategy.INTERRUPT, "main", 0);
        h.awaitEnd(other);
        h.release();
        awaitReportedAndQuiet(thread);

        Operation op = h.onlyOperation(thread);
        List<Message> messages = h.messages(thread);
        assertThat(outcomesInThread(messages, op)).as("outcome written once however often the report is tried").isEqualTo(1);
        assertThat(messages.getLast()).isInstanceOf(AiMessage.class);
        assertThat(messages.getLast().content()).contains("change_plan").contains("succeeded");
        List<Run> reports = h.switchboard.runs(thread, RunQuery.all()).stream()
                .filter(r -> "operation_report".equals(r.metadata().path("kind").asText())).toList();
        assertThat(reports).as("bounded retries").hasSizeBetween(2, 3);
        assertThat(h.violations(thread)).isEmpty();
    }

    @Test
    void failedReportRun_thatSucceedsOnRetry_answersWithASynthesis() throws Exception {
        AtomicInteger synthesisFailures = new AtomicInteger(1);
        h = new LaneHarness(Duration.ofSeconds(10), m -> failingSynthesis(m, synthesisFailures), b -> { }, List.of());
        UUID thread = h.newThread();
        Run first = h.send(thread, "please change my plan to gold");
        h.awaitProgress(first, 10);
        h.awaitEnd(h.send(thread, "forget it, what's my balance", MultitaskStrategy.INTERRUPT, "main", 0));
        h.release();
        awaitReportedAndQuiet(thread);
        Operation op = h.onlyOperation(thread);
        assertThat(outcomesInThread(h.messages(thread), op)).isEqualTo(1);
        assertThat(h.lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan succeeded");
        assertThat(h.violations(thread)).isEmpty();
    }

    private static ChatModel failingSynthesis(ChatModel inner, AtomicInteger failures) {
        return (request, listener) -> {
            if (request.purpose() == ModelRequest.Purpose.SYNTHESIS && failures.getAndDecrement() > 0) {
                throw new IllegalStateException("the model provider answered 503");
            }
            return inner.chat(request, listener);
        };
    }

    @Test
    void badNamespaceForMemory_isRefusedAtAdmission() {
        h = new LaneHarness(Duration.ofSeconds(10));
        UUID thread = h.newThread();
        assertThatThrownBy(() -> h.switchboard.submit(LaneHarness.request(thread, "hi", MultitaskStrategy.ENQUEUE, null, 0,
                List.of("bad.label", ""))))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThat(h.switchboard.runs(thread, RunQuery.all())).isEmpty();
    }

    // ---- (3) secondary messages ------------------------------------------------------------------------

    @RepeatedTest(5)
    void secondaryBurst_withZeroWait_noCompletedExchangeIsMissingFromMessages() throws Exception {
        h = new LaneHarness(Duration.ZERO);
        UUID thread = h.newThread();
        Run main = h.send(thread, "please change my plan to gold");
        h.awaitProgress(main, 10);
        List<Run> questions = new ArrayList<>();
        List<java.lang.Thread> senders = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String q = "question " + i + " tell me something";
            senders.add(java.lang.Thread.ofVirtual().start(() -> {
                // Answers take a while (tokens 20 ms apart), so secondary runs queue behind each other.
                Run r = h.send(thread, q, MultitaskStrategy.ENQUEUE, null, 20);
                synchronized (questions) {
                    questions.add(r);
                }
            }));
            if (i == 2) {
                h.release();
            }
        }
        for (java.lang.Thread t : senders) {
            t.join();
        }
        await().atMost(LaneHarness.WAIT).until(() -> h.switchboard.runs(thread, RunQuery.all()).stream()
                .allMatch(r -> r.status().isTerminal()));
        List<String> contents = h.messages(thread).stream().map(Message::content).toList();
        for (Run q : questions) {
            Run ended = h.switchboard.run(thread, q.runId());
            String text = q.input().path("messages").get(0).path("content").asText();
            if (ended.lane() == Lane.SECONDARY && ended.status() == RunStatus.SUCCESS) {
                assertThat(contents).as("completed secondary exchange %s is in messages", text).contains(text);
                assertThat(contents).contains("ok: " + text);
            } else {
                // Folded or aborted on the secondary lane, or queued on the main lane: the question is answered.
                assertThat(contents).as("question %s is in messages", text).contains(text);
            }
        }
        assertThat(h.violations(thread)).isEmpty();
    }

    // ---- (5) Throwables and store errors ---------------------------------------------------------------

    @Test
    void errorThrownByATool_endsTheRunAndTheThreadTakesTheNextRun() throws Exception {
        Tool explode = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("explode", "Fails badly", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                throw new AssertionError("a bug in a tool");
            }
        };
        h = new LaneHarness(Duration.ofSeconds(10), m -> m, b -> { }, List.of(explode));
        UUID thread = h.newThread();
        Run run = h.send(thread, "explode please");
        Run next = h.send(thread, "what's my balance");
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isNotIn(RunStatus.PENDING, RunStatus.RUNNING);
        assertThat(h.awaitEnd(next)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.violations(thread)).isEmpty();
    }

    @Test
    void errorThrownByALongRunningTool_endsTheOperationAndTheRunReportsIt() throws Exception {
        Tool explode = new Tool() {
            @Override
            public ToolSpec spec() {
                return new ToolSpec("explode", "Fails badly, slowly", ToolSpec.emptySchema(), ToolKind.LONG_RUNNING,
                        Duration.ofSeconds(1), true, true, 50);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                throw new NoClassDefFoundError("com/acme/Missing");
            }
        };
        h = new LaneHarness(Duration.ofSeconds(10), m -> m, b -> { }, List.of(explode));
        UUID thread = h.newThread();
        Run run = h.send(thread, "explode please");
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        Operation op = h.onlyOperation(thread);
        assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(op.reported()).isTrue();
        assertThat(h.lastAnswer(thread)).isEqualTo("SYNTHESIS: explode failed");
    }

    @Test
    void storeErrorWhileStartingTheNextRun_theAdmittedRunIsReturnedAndStillRuns() throws Exception {
        Faults.FailNext claim = new Faults.FailNext("claimNext");
        h = new LaneHarness(Duration.ofSeconds(10), m -> m, b -> b.runStore(Faults.wrap(RunStore.class,
                new InMemoryRunStore(Clock.systemUTC()), claim)), List.of());
        UUID thread = h.newThread();
        claim.arm(1);
        Run run = h.send(thread, "what's my balance");
        assertThat(run.status()).isIn(RunStatus.PENDING, RunStatus.RUNNING);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    // ---- (6) deleting a thread mid-operation -----------------------------------------------------------

    @Test
    void deleteThread_withOperationInFlight_isRefusedAndTheOperationKeepsItsRecord() throws Exception {
        h = new LaneHarness(Duration.ofSeconds(10));
        UUID thread = h.newThread();
        Run first = h.send(thread, "please change my plan to gold");
        h.awaitProgress(first, 10);
        assertThatThrownBy(() -> h.switchboard.deleteThread(thread))
                .isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                        c -> assertThat(c.getMessage()).contains("operation"));
        assertThat(h.onlyOperation(thread).status()).isEqualTo(OperationStatus.RUNNING);
        h.release();
        h.awaitEnd(first);
        h.switchboard.deleteThread(thread);
        assertThat(h.switchboard.operationStore().listByThread(thread)).isEmpty();
    }

    // ---- (4) thread row writes -------------------------------------------------------------------------

    @RepeatedTest(3)
    void patchesAndStateUpdates_racingRuns_loseNoUpdateAndStatusAgreesWithRuns() throws Exception {
        h = new LaneHarness(Duration.ofSeconds(10));
        UUID thread = h.newThread();
        List<java.lang.Thread> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int n = i;
            workers.add(java.lang.Thread.ofVirtual().start(() -> {
                ObjectNode patch = Json.object();
                patch.put("k" + n, n);
                h.switchboard.patchThread(thread, patch);
            }));
            workers.add(java.lang.Thread.ofVirtual().start(() -> h.send(thread, "hello " + n)));
        }
        for (java.lang.Thread w : workers) {
            w.join();
        }
        await().atMost(LaneHarness.WAIT).until(() -> h.switchboard.runs(thread, RunQuery.all()).stream()
                .allMatch(r -> r.status().isTerminal()));
        var t = h.switchboard.thread(thread);
        for (int i = 0; i < 8; i++) {
            assertThat(t.metadata().has("k" + i)).as("patch k%d kept", i).isTrue();
        }
        assertThat(t.status().wireName()).isEqualTo("idle");
        assertThat(t.values()).isEqualTo(h.switchboard.state(thread, null).orElseThrow().values());
    }
}

package dev.switchboard.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.assistant.InMemoryAssistantStore;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.run.InMemoryRunStore;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import dev.switchboard.store.InMemoryItemStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.testkit.StorePartition;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.InMemoryThreadStore;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN.md §3 item 4 and §5: leases, heartbeats and crash recovery. Several runtime instances share one set of
 * in-memory stores (the database) and one backend; an instance "crashes" when a {@link StorePartition} cuts it
 * off from every store and it is closed, so nothing it does afterwards reaches the database, as with a killed
 * process. (The real kill -9 of a child JVM on SQLite is the jdbc module's ProcessCrashTest.)
 */
class CrashRecoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CHANGE = "change_plan";
    private static final String ASK = "please change my plan to gold";

    private final RecordingBackend backend = new RecordingBackend();
    private final ThreadStore threads = new InMemoryThreadStore();
    private final RunStore runs = new InMemoryRunStore(Clock.systemUTC());
    private final CheckpointStore checkpoints = new InMemoryCheckpointStore();
    private final OperationStore operations = new InMemoryOperationStore();
    private final ItemStore items = new InMemoryItemStore(Clock.systemUTC());
    private final AssistantStore assistants = new InMemoryAssistantStore();
    private final List<Instance> instances = new ArrayList<>();

    @AfterEach
    void closeInstances() {
        instances.forEach(Instance::close);
    }

    // ---- the same instance id, restarted: recovery at once --------------------------------------------------

    @Test
    void crashBeforeTheBackendCall_restartedInstance_resumesTheOperationWithItsKeyAndAnswers() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        Run run = a.send(thread, ASK);
        a.reach(thread, 40);
        a.crash();

        Instance b = instance("node-1", Duration.ofSeconds(30), true);
        b.gate.release(1000);

        awaitAnswered(thread);
        Operation op = onlyOperation(thread);
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.owner()).isEqualTo("node-1");
        assertThat(backend.requests(op.idempotencyKey())).isEqualTo(1);
        assertThat(backend.appliedCount()).isEqualTo(1);
        assertThat(runs.get(run.runId())).get().extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan succeeded");
        assertThat(toolResultOf(thread, op.toolCallId()).content()).contains("still running in the background");
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    @Test
    void crashAfterTheBackendApplied_beforeTheResultWasStored_resumedOperationAppliesNothingTwice() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, 60);
        String key = onlyOperation(thread).idempotencyKey();
        await().atMost(WAIT).until(() -> backend.requests(key) == 1);
        a.crash();

        Instance b = instance("node-1", Duration.ofSeconds(30), true);
        b.gate.release(1000);

        awaitAnswered(thread);
        assertThat(onlyOperation(thread).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(backend.requests(key)).as("asked again with the same key").isEqualTo(2);
        assertThat(backend.appliedCount()).as("applied once").isEqualTo(1);
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan succeeded");
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    @ParameterizedTest(name = "crashed at {0}%")
    @ValueSource(ints = {40, 60})
    void crashMidOperation_toolNotIdempotent_failsWithTheReasonAndTheThreadIsTold(int percent) {
        Instance a = instance("node-1", Duration.ofSeconds(30), false);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, percent);
        a.crash();

        Instance b = instance("node-1", Duration.ofSeconds(30), false);

        awaitAnswered(thread);
        Operation op = onlyOperation(thread);
        assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(op.error()).contains("the server stopped while it ran", "not safe to retry",
                percent < ScriptedOperationTool.POINT_OF_NO_RETURN ? "nothing was changed" : "it may have taken effect");
        assertThat(backend.requests(op.idempotencyKey())).as("never run again")
                .isEqualTo(percent < ScriptedOperationTool.POINT_OF_NO_RETURN ? 0 : 1);
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan failed");
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    @Test
    void crashAfterTheOperationEnded_beforeItWasReported_theRestartReportsItWithoutRunningItAgain() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, 40);
        a.crash();
        // What the dead process managed to store last: the operation's end, nothing after it.
        Operation op = onlyOperation(thread);
        backend.apply(op.idempotencyKey(), "change_plan:gold");
        operations.update(op.operationId(), o -> o.finished(OperationStatus.SUCCEEDED, "change_plan done: gold",
                null, Instant.now()));

        Instance b = instance("node-1", Duration.ofSeconds(30), true);

        awaitAnswered(thread);
        assertThat(backend.requests(op.idempotencyKey())).isEqualTo(1);
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan succeeded");
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    @Test
    void crashWithACancelNotYetHonoured_beforeThePointOfNoReturn_endsCancelledWithoutRunningAgain() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, 40);
        a.crash();
        Operation op = onlyOperation(thread);
        operations.update(op.operationId(), o -> o.withCancelRequested(Instant.now()));

        Instance b = instance("node-1", Duration.ofSeconds(30), true);

        awaitAnswered(thread);
        assertThat(onlyOperation(thread).status()).isEqualTo(OperationStatus.CANCELLED);
        assertThat(backend.requests(op.idempotencyKey())).isZero();
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan cancelled");
        assertUsable(b, thread);
    }

    @Test
    void aRunQueuedBehindTheCrashedOne_startsAfterTheRecovery_andTheOutcomeIsReportedAfterIt() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, 40);
        Run queued = a.switchboard.submit(LaneHarness.request(thread, "and my balance", MultitaskStrategy.ENQUEUE,
                "main", 0, null));
        assertThat(queued.status()).isEqualTo(RunStatus.PENDING);
        a.crash();

        Instance b = instance("node-1", Duration.ofSeconds(30), true);
        b.gate.release(1000);

        awaitAnswered(thread);
        assertThat(runs.get(queued.runId())).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        List<String> contents = messages(thread).stream().map(Message::content).toList();
        assertThat(contents).containsSubsequence("and my balance", "ok: and my balance",
                "SYNTHESIS: change_plan succeeded");
        assertThat(History.violations(messages(thread))).isEmpty();
    }

    @Test
    void crashAfterTheStartingRunWasRolledBack_recoveredOperationActsForItsOwnUser_notAFallback() {
        Instance a = instance("node-1", Duration.ofSeconds(30), true);
        UUID thread = a.newThread();
        RunRequest ask = LaneHarness.request(thread, ASK, MultitaskStrategy.ENQUEUE, null, 0, null)
                .withConfigurable("user_id", com.fasterxml.jackson.databind.node.TextNode.valueOf("alice"));
        Run started = a.switchboard.submit(ask);
        a.reach(thread, 40);
        Run rollback = a.switchboard.submit(LaneHarness.request(thread, "actually, hello", MultitaskStrategy.ROLLBACK,
                "main", 0, null));
        await().atMost(WAIT).until(() -> runs.get(started.runId()).isEmpty()
                && runs.get(rollback.runId()).map(r -> r.status().isTerminal()).orElse(false));
        assertThat(onlyOperation(thread).userId()).isEqualTo("alice");
        a.crash();

        Instance b = instance("node-1", Duration.ofSeconds(30), true);
        b.gate.release(1000);

        awaitAnswered(thread);
        assertThat(onlyOperation(thread).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(b.usersSeen).as("every call of the resumed tool acted for alice").isNotEmpty()
                .allMatch("alice"::equals);
        assertThat(onlyOperation(thread).userId()).isEqualTo("alice");
        assertThat(runs.list(thread, RunQuery.all()))
                .filteredOn(r -> r.metadata().path("kind").asText().equals("operation_report"))
                .as("the report run acts for alice too").isNotEmpty()
                .allSatisfy(r -> assertThat(r.configurable().path("user_id").asText()).isEqualTo("alice"));
    }

    // ---- another instance: take-over after the lease, fencing of the stale owner ---------------------------

    @Test
    void deadInstance_anotherInstanceTakesOverOnlyOnceTheLeaseHasExpired() {
        Instance a = instance("node-a", Duration.ofSeconds(3), true);
        UUID thread = a.newThread();
        Run run = a.send(thread, ASK);
        a.reach(thread, 40);
        a.crash();
        Instant leaseEnd = onlyOperation(thread).leaseUntil();

        Instance b = instance("node-b", Duration.ofSeconds(3), true);
        b.gate.release(1000);
        assertThat(onlyOperation(thread).owner()).as("A's lease still holds").isEqualTo("node-a");
        assertThat(runs.get(run.runId())).get().extracting(Run::owner).isEqualTo("node-a");

        awaitAnswered(thread);
        Operation op = onlyOperation(thread);
        assertThat(op.owner()).isEqualTo("node-b");
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.updatedAt()).as("taken over after A's lease ended").isAfter(leaseEnd);
        assertThat(runs.get(run.runId())).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.owner()).isEqualTo("node-b");
        });
        assertThat(backend.appliedCount()).isEqualTo(1);
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    @Test
    void liveInstance_itsHeartbeatKeepsItsWork_anotherInstanceNeverTakesItOver() {
        Instance a = instance("node-a", Duration.ofMillis(300), true);
        instance("node-b", Duration.ofMillis(300), true);
        UUID thread = a.newThread();
        Run run = a.send(thread, ASK);
        a.reach(thread, 40);

        // Many leases long: without renewals B would have taken both over by now.
        await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> "node-a".equals(onlyOperation(thread).owner())
                && "node-a".equals(runs.get(run.runId()).orElseThrow().owner())
                && onlyOperation(thread).status() == OperationStatus.RUNNING);
        a.gate.release(1000);

        awaitAnswered(thread);
        assertThat(runs.get(run.runId())).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(r.owner()).isEqualTo("node-a");
        });
        assertThat(onlyOperation(thread).owner()).isEqualTo("node-a");
        assertThat(lastAnswer(thread)).isEqualTo("SYNTHESIS: change_plan succeeded");
    }

    @Test
    void gracefulClose_endsTheLeasesSoAnotherInstanceTakesOverAtOnce() {
        Instance a = instance("node-a", Duration.ofSeconds(60), true);
        UUID thread = a.newThread();
        a.send(thread, ASK);
        a.reach(thread, 40);
        a.close();
        assertThat(onlyOperation(thread).status()).isEqualTo(OperationStatus.RUNNING);
        assertThat(onlyOperation(thread).leaseExpired(Instant.now())).isTrue();

        Instance b = instance("node-b", Duration.ofSeconds(60), true);
        b.gate.release(1000);

        awaitAnswered(thread);
        assertThat(onlyOperation(thread).owner()).isEqualTo("node-b");
        assertThat(backend.appliedCount()).isEqualTo(1);
        assertThat(History.violations(messages(thread))).isEmpty();
    }

    @Test
    void staleOwner_cutOffFromItsHeartbeats_isTakenOverAndItsLateWritesAreRejected() throws Exception {
        Instance a = instance("node-a", Duration.ofMillis(600), true);
        UUID thread = a.newThread();
        Run run = a.send(thread, ASK);
        a.reach(thread, 10);
        a.partition.cutHeartbeats();

        Instance b = instance("node-b", Duration.ofMillis(600), true);
        b.gate.release(1000);
        awaitAnswered(thread);
        Operation ended = onlyOperation(thread);
        assertThat(ended.owner()).isEqualTo("node-b");
        Checkpoint latest = checkpoints.latest(thread).orElseThrow();

        // A wakes up and goes on: its next progress report is refused by the store, so it stops before the backend.
        a.gate.release(1000);
        await().atMost(WAIT).until(() -> a.toolEnds.stream().anyMatch(e -> e instanceof ToolContext.OperationCancelledException
                && e.getMessage().contains("another instance")));
        a.partition.heal();
        assertThat(a.switchboard.await(run.runId(), WAIT)).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.owner()).isEqualTo("node-b");
        });

        assertThat(backend.requests(ended.idempotencyKey())).as("only B reached the backend").isEqualTo(1);
        assertThat(onlyOperation(thread)).isEqualTo(ended);
        assertThat(checkpoints.latest(thread)).get().extracting(Checkpoint::checkpointId)
                .as("A wrote nothing after the take-over").isEqualTo(latest.checkpointId());
        assertThat(History.violations(messages(thread))).isEmpty();
        assertUsable(b, thread);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private Instance instance(String id, Duration lease, boolean idempotent) {
        Instance instance = new Instance(id, lease, idempotent);
        instances.add(instance);
        return instance;
    }

    /** One server instance: its own runtime, its tool's gate, and its partition from the shared stores. */
    private final class Instance implements AutoCloseable {
        final Semaphore gate = new Semaphore(0);
        final StorePartition partition = new StorePartition();
        /** How this instance's tool calls ended abnormally. */
        final List<Throwable> toolEnds = new CopyOnWriteArrayList<>();
        /** The {@code configurable.user_id} each call of this instance's tool saw ("none" when absent). */
        final List<String> usersSeen = new CopyOnWriteArrayList<>();
        final Switchboard switchboard;
        private boolean closed;

        Instance(String id, Duration lease, boolean idempotent) {
            ScriptedLaneModel model = new ScriptedLaneModel(List.<String[]>of(
                    new String[] {"balance", "get_balance"}, new String[] {"change", CHANGE}));
            Tool change = recording(new ScriptedOperationTool(CHANGE, backend, gate, idempotent));
            AgentGraph graph = new AgentGraph("lanes", "You are the main lane.", c -> model, List.of(change),
                    "You are the secondary lane.", null, null);
            switchboard = Switchboard.builder()
                    .graph(graph)
                    .instanceId(id)
                    .lease(lease)
                    .secondaryWait(Duration.ofSeconds(5))
                    .threadStore(partition.wrap(ThreadStore.class, threads))
                    .runStore(partition.wrap(RunStore.class, runs))
                    .checkpointStore(partition.wrap(CheckpointStore.class, checkpoints))
                    .operationStore(partition.wrap(OperationStore.class, operations))
                    .itemStore(partition.wrap(ItemStore.class, items))
                    .assistantStore(partition.wrap(AssistantStore.class, assistants))
                    .build();
        }

        private Tool recording(Tool tool) {
            return new Tool() {
                @Override
                public ToolSpec spec() {
                    return tool.spec();
                }

                @Override
                public String call(ObjectNode arguments, ToolContext context) throws Exception {
                    usersSeen.add(context.configurable().path("user_id").asText("none"));
                    try {
                        return tool.call(arguments, context);
                    } catch (Exception e) {
                        toolEnds.add(e);
                        throw e;
                    }
                }
            };
        }

        UUID newThread() {
            return switchboard.createThread(null, null, false).threadId();
        }

        Run send(UUID thread, String text) {
            return switchboard.submit(LaneHarness.request(thread, text, MultitaskStrategy.ENQUEUE, null, 0, null));
        }

        /** Lets the thread's operation run until it has reported {@code percent}, where the gate holds it. */
        void reach(UUID thread, int percent) {
            int steps = (int) ScriptedOperationTool.STEPS.stream().filter(s -> s.percent() <= percent).count();
            gate.release(steps - 1);
            await().atMost(WAIT).until(() -> operations.listByThread(thread).size() == 1
                    && operations.listByThread(thread).getFirst().percent() >= percent);
        }

        /** Dies: from now on nothing this instance does reaches the store. */
        void crash() {
            partition.cutAll();
            close();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                switchboard.close();
            }
        }
    }

    private Operation onlyOperation(UUID thread) {
        List<Operation> ops = operations.listByThread(thread);
        assertThat(ops).hasSize(1);
        return ops.getFirst();
    }

    /** The operation's outcome was reported and nothing of the thread is active any more. */
    private void awaitAnswered(UUID thread) {
        await().atMost(WAIT).until(() -> operations.listByThread(thread).stream().allMatch(Operation::reported)
                && runs.active(thread, Lane.MAIN).isEmpty()
                && threads.get(thread).orElseThrow().status() == ThreadStatus.IDLE);
    }

    private List<Message> messages(UUID thread) {
        return checkpoints.latest(thread).map(c -> ConversationState.fromJson(c.values()).messages()).orElse(List.of());
    }

    private String lastAnswer(UUID thread) {
        Message last = messages(thread).getLast();
        assertThat(last).isInstanceOf(AiMessage.class);
        return last.content();
    }

    private ToolMessage toolResultOf(UUID thread, String toolCallId) {
        return messages(thread).stream()
                .filter(m -> m instanceof ToolMessage t && t.toolCallId().equals(toolCallId))
                .map(ToolMessage.class::cast)
                .findFirst().orElseThrow();
    }

    /** The thread takes a new message on the surviving instance and answers it. */
    private void assertUsable(Instance survivor, UUID thread) {
        Run next = survivor.send(thread, "thanks");
        assertThat(next.lane()).isEqualTo(Lane.MAIN);
        await().atMost(WAIT).until(() -> runs.get(next.runId()).orElseThrow().status() == RunStatus.SUCCESS);
        assertThat(lastAnswer(thread)).isEqualTo("ok: thanks");
        assertThat(History.violations(messages(thread))).isEmpty();
        assertThat(survivor.switchboard.runs(thread, RunQuery.all())).noneMatch(r -> r.status().isActive());
    }
}

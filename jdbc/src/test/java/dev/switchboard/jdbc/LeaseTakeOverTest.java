package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.jdbc.TestDatabase.Engine;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.testkit.StorePartition;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DESIGN.md §5: two live instances on one database. Instance A starts a side-effecting operation and is then
 * cut off from the database's heartbeats (a partition: it goes on working, unaware); once its lease expires,
 * instance B takes the run and the operation over, finishes the operation with the same idempotency key and
 * reports it; when A wakes up, the store refuses its late writes and A stops without changing anything.
 */
class LeaseTakeOverTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofMillis(900);
    private static final String CHANGE = "change_plan";

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    private final RecordingBackend backend = new RecordingBackend();
    private final List<Instance> instances = new ArrayList<>();

    @AfterEach
    void closeInstances() {
        instances.forEach(Instance::close);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void ownerCutOff_anotherInstanceTakesOverAfterTheLease_andTheStaleOwnersLateWritesAreRejected(Engine engine)
            throws Exception {
        TestDatabase database = engine == Engine.SQLITE ? sqlite : postgres;
        Instance a = new Instance("node-a", database.open(Clock.systemUTC()));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        Run run = a.switchboard.submit(request(thread, "please change my plan to gold"));
        Database observer = database.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.operations().listByThread(thread).size() == 1);
        Operation started = observer.operations().listByThread(thread).getFirst();
        assertThat(started.owner()).isEqualTo("node-a");
        assertThat(observer.runs().get(run.runId())).get().extracting(Run::owner).isEqualTo("node-a");

        a.partition.cutHeartbeats();
        Instance b = new Instance("node-b", database.open(Clock.systemUTC()));
        b.gate.release(1000);

        await().atMost(WAIT).until(() -> observer.operations().get(started.operationId()).orElseThrow().reported()
                && observer.runs().active(thread, Lane.MAIN).isEmpty()
                && observer.threads().get(thread).orElseThrow().status() == ThreadStatus.IDLE);
        Operation ended = observer.operations().get(started.operationId()).orElseThrow();
        assertThat(ended.owner()).isEqualTo("node-b");
        assertThat(ended.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(ended.idempotencyKey()).isEqualTo(started.idempotencyKey());
        assertThat(observer.runs().get(run.runId())).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.owner()).isEqualTo("node-b");
        });
        Checkpoint latest = observer.checkpoints().latest(thread).orElseThrow();
        assertThat(messages(observer, thread).getLast().content()).isEqualTo("SYNTHESIS: change_plan succeeded");

        // A goes on where it stopped: its progress report is refused, so it never reaches the backend, and its
        // run's end is refused too; it releases whoever awaits the run with what the store says.
        a.gate.release(1000);
        await().atMost(WAIT).until(() -> a.toolEnds.stream().anyMatch(e ->
                e instanceof ToolContext.OperationCancelledException && e.getMessage().contains("another instance")));
        a.partition.heal();
        assertThat(a.switchboard.await(run.runId(), WAIT)).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(r.owner()).isEqualTo("node-b");
        });

        assertThat(backend.requests(started.idempotencyKey())).as("only B reached the backend").isEqualTo(1);
        assertThat(backend.appliedCount()).isEqualTo(1);
        assertThat(observer.operations().get(started.operationId())).contains(ended);
        assertThat(observer.checkpoints().latest(thread)).get().extracting(Checkpoint::checkpointId)
                .as("A wrote nothing after the take-over").isEqualTo(latest.checkpointId());
        assertThat(History.violations(messages(observer, thread))).isEmpty();

        // The thread is B's to serve now.
        Run next = b.switchboard.submit(request(thread, "thanks"));
        assertThat(b.switchboard.await(next.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(messages(observer, thread).getLast().content()).isEqualTo("ok: thanks");
    }

    /** One server instance on its own connection pool, behind a partition it can be cut off by. */
    private final class Instance implements AutoCloseable {
        final Semaphore gate = new Semaphore(0);
        final StorePartition partition = new StorePartition();
        final List<Throwable> toolEnds = new CopyOnWriteArrayList<>();
        final Switchboard switchboard;

        Instance(String id, Database db) {
            ScriptedLaneModel model = new ScriptedLaneModel(List.<String[]>of(new String[] {"change", CHANGE}));
            Tool tool = new ScriptedOperationTool(CHANGE, backend, gate);
            Tool recording = new Tool() {
                @Override
                public ToolSpec spec() {
                    return tool.spec();
                }

                @Override
                public String call(ObjectNode arguments, ToolContext context) throws Exception {
                    try {
                        return tool.call(arguments, context);
                    } catch (Exception e) {
                        toolEnds.add(e);
                        throw e;
                    }
                }
            };
            switchboard = Switchboard.builder()
                    .graph(new AgentGraph("lanes", "", c -> model, List.of(recording), null, null, null))
                    .instanceId(id)
                    .lease(LEASE)
                    .secondaryWait(Duration.ofSeconds(5))
                    .threadStore(partition.wrap(ThreadStore.class, db.threads()))
                    .runStore(partition.wrap(RunStore.class, db.runs()))
                    .checkpointStore(partition.wrap(CheckpointStore.class, db.checkpoints()))
                    .operationStore(partition.wrap(OperationStore.class, db.operations()))
                    .itemStore(partition.wrap(ItemStore.class, db.items()))
                    .assistantStore(partition.wrap(AssistantStore.class, db.assistants()))
                    .build();
            instances.add(this);
        }

        @Override
        public void close() {
            switchboard.close();
        }
    }

    private static List<Message> messages(Database db, UUID thread) {
        return db.checkpoints().latest(thread).map(c -> ConversationState.fromJson(c.values()).messages())
                .orElse(List.of());
    }

    private static RunRequest request(UUID thread, String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("step_ms", 1);
        return RunRequest.of(thread, "lanes", input).withStrategy(MultitaskStrategy.ENQUEUE).withConfig(config);
    }
}

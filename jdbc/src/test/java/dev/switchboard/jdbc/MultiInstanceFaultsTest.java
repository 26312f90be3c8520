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
import dev.switchboard.message.History;
import dev.switchboard.operation.CancelOutcome;
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
import dev.switchboard.thread.ThreadStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md §5, the promises that only several instances on one PostgreSQL can break: a wait on any instance
 * waits, a message routes to the same lane on any instance, a write stalled past a lease take-over never
 * lands, and a cancel sent to an instance that does not execute the operation is answered truthfully.
 */
class MultiInstanceFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CHANGE = "change_plan";

    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private final RecordingBackend backend = new RecordingBackend();
    private final List<Instance> instances = new ArrayList<>();

    @AfterEach
    void closeInstances() {
        instances.forEach(Instance::close);
    }

    @Test
    void wait_onAnInstanceNotExecutingTheRun_waitsForItsEnd() throws Exception {
        Instance a = new Instance("node-a", Duration.ofSeconds(10));
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        Run run = a.switchboard.submit(say(thread, "hello there", 500));
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.runs().get(run.runId()).orElseThrow().status() != RunStatus.PENDING);

        Optional<Run> seenByB = b.switchboard.await(run.runId(), WAIT);

        assertThat(seenByB).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    /**
     * Found by R2 over HTTP (seed 48742657537199, docs/reliability.md): a run admitted on instance B but executed
     * by A (here a secondary message, which runs where its lane is open) left B's stream of it, opened at
     * admission, empty: heartbeats only, for ever.
     */
    @Test
    void streamOnTheAdmittingInstance_ofARunAnotherInstanceExecutes_deliversEveryEventToTheEnd() throws Exception {
        Instance a = new Instance("node-a", Duration.ofSeconds(10));
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        Run main = a.switchboard.submit(say(thread, "please change my plan to gold", 0));
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.operations().listByThread(thread).stream()
                .anyMatch(op -> op.percent() >= 10));
        Run question = b.switchboard.submit(say(thread, "what is my balance?", 5));
        assertThat(question.lane()).isEqualTo(Lane.SECONDARY);

        List<dev.switchboard.event.RunEvent> seen = new ArrayList<>();
        try (dev.switchboard.event.Subscription sub = b.switchboard.subscribe(question.runId(), -1)) {
            while (!sub.isFinished()) {
                Optional<dev.switchboard.event.SequencedEvent> next = sub.next(Duration.ofSeconds(10));
                assertThat(next).as("events keep coming on the admitting instance; so far %s", seen).isPresent();
                seen.add(next.get().event());
                if (next.get().event() instanceof dev.switchboard.event.RunEvent.End) {
                    break;
                }
            }
        }
        assertThat(seen.getFirst()).isInstanceOf(dev.switchboard.event.RunEvent.Metadata.class);
        assertThat(seen.getLast()).isInstanceOf(dev.switchboard.event.RunEvent.End.class);
        a.gate.release(100);
        b.gate.release(100);
        assertThat(a.switchboard.await(main.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    @Test
    void autoMessage_onAnotherInstanceWhileAnOperationIsInFlight_goesToTheSecondaryLane() throws Exception {
        Instance a = new Instance("node-a", Duration.ofSeconds(10));
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        Run main = a.switchboard.submit(say(thread, "please change my plan to gold", 0));
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.operations().listByThread(thread).stream()
                .anyMatch(op -> op.percent() >= 10));

        Run question = b.switchboard.submit(say(thread, "what is my balance?", 0));

        assertThat(question.lane()).as("routed as the executing instance routes it").isEqualTo(Lane.SECONDARY);
        assertThat(b.switchboard.await(question.runId(), WAIT)).get().extracting(Run::status)
                .isEqualTo(RunStatus.SUCCESS);
        assertThat(observer.operations().listByThread(thread).getFirst().status())
                .as("answered while the operation is still in flight").isEqualTo(OperationStatus.RUNNING);
        a.gate.release(100);
        b.gate.release(100);
        assertThat(a.switchboard.await(main.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        var messages = ConversationState.fromJson(observer.checkpoints().latest(thread).orElseThrow().values()).messages();
        assertThat(messages.getLast().content()).contains("SYNTHESIS: change_plan succeeded")
                .contains("what is my balance?");
        assertThat(History.violations(messages)).isEmpty();
    }

    @Test
    void checkpointWrite_stalledPastALeaseTakeOver_neverLands() throws Exception {
        Duration lease = Duration.ofMillis(900);
        Instance a = new Instance("node-a", lease);
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        a.stall.set(new CountDownLatch(1));
        Run run = a.switchboard.submit(say(thread, "hello there", 0));
        await().atMost(WAIT).until(() -> a.stalled.get() != null);
        Checkpoint stalled = a.stalled.get();

        a.partition.cutHeartbeats();
        Instance b = new Instance("node-b", lease);
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.runs().get(run.runId()).orElseThrow().status().isTerminal());
        assertThat(observer.runs().get(run.runId()).orElseThrow().owner()).isEqualTo("node-b");
        a.stall.get().countDown();
        await().atMost(WAIT).until(() -> a.released.get());

        assertThat(observer.checkpoints().get(thread, stalled.checkpointId()))
                .as("the stalled write of the old owner").isEmpty();
        assertThat(b.switchboard.await(run.runId(), WAIT)).get().extracting(Run::status)
                .isEqualTo(RunStatus.INTERRUPTED);
    }

    @Test
    void operationCancel_onAnotherInstancePastThePointOfNoReturn_isRefused() throws Exception {
        Instance a = new Instance("node-a", Duration.ofSeconds(10));
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        a.switchboard.submit(say(thread, "please change my plan to gold", 0));
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> !observer.operations().listByThread(thread).isEmpty());
        UUID op = observer.operations().listByThread(thread).getFirst().operationId();
        a.gate.release(2); // 40 %, then 60 %: the point of no return; it stops before 90 %
        await().atMost(WAIT).until(() -> observer.operations().get(op).orElseThrow().percent()
                >= ScriptedOperationTool.POINT_OF_NO_RETURN);

        CancelOutcome outcome = b.switchboard.cancelOperation(op);

        assertThat(outcome.result()).isEqualTo(CancelOutcome.Result.REFUSED_POINT_OF_NO_RETURN);
        a.gate.release(100);
        await().atMost(WAIT).until(() -> observer.operations().get(op).orElseThrow().status().isTerminal());
        assertThat(observer.operations().get(op).orElseThrow().status()).isEqualTo(OperationStatus.SUCCEEDED);
    }

    @Test
    void operationCancel_onAnotherInstanceBeforeThePointOfNoReturn_isAcceptedAndTheOperationStops() throws Exception {
        Instance a = new Instance("node-a", Duration.ofSeconds(10));
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = a.switchboard.createThread(null, null, false).threadId();
        a.switchboard.submit(say(thread, "please change my plan to gold", 0));
        Database observer = db.open(Clock.systemUTC());
        await().atMost(WAIT).until(() -> observer.operations().listByThread(thread).stream()
                .anyMatch(o -> o.percent() >= 10));
        UUID op = observer.operations().listByThread(thread).getFirst().operationId();

        CancelOutcome outcome = b.switchboard.cancelOperation(op);

        assertThat(outcome.result()).isEqualTo(CancelOutcome.Result.ACCEPTED);
        a.gate.release(100);
        await().atMost(WAIT).until(() -> observer.operations().get(op).orElseThrow().status().isTerminal());
        assertThat(observer.operations().get(op).orElseThrow().status()).isEqualTo(OperationStatus.CANCELLED);
        assertThat(backend.appliedCount()).isZero();
    }

    @Test
    void operationCancel_whoseExecutingInstanceDoesNotAnswer_isUnknownWithinTheBoundAndRecorded() throws Exception {
        Instance b = new Instance("node-b", Duration.ofSeconds(10));
        UUID thread = b.switchboard.createThread(null, null, false).threadId();
        Run run = b.switchboard.submit(say(thread, "hello there", 0));
        b.switchboard.await(run.runId(), WAIT);
        Database observer = db.open(Clock.systemUTC());
        var now = java.time.Instant.now();
        Operation silent = observer.operations().create(new Operation(UUID.randomUUID(), thread, run.runId(), "call-1",
                CHANGE, Json.object(), "key-" + UUID.randomUUID(), List.of("threads", thread.toString()),
                OperationStatus.RUNNING, 20, "reserving", null, null, false, false, "node-stalled",
                now.plus(Duration.ofMinutes(5)), now, now, null));

        long started = System.nanoTime();
        CancelOutcome outcome = b.switchboard.cancelOperation(silent.operationId());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(outcome.result()).isEqualTo(CancelOutcome.Result.UNKNOWN);
        assertThat(observer.operations().get(silent.operationId()).orElseThrow().cancelRequested())
                .as("recorded for whoever recovers it").isTrue();
    }

    /**
     * Relayed events travel as signals, which are lost while the database is away (R6): a stream on an instance that
     * does not execute the run must still end once the store shows the run ended.
     */
    @Test
    void joinStream_onAnotherInstanceWhoseRelayedEventsAreLost_endsOnceTheRunHasEnded() throws Exception {
        Database atA = db.open(Clock.systemUTC());
        Database atB = db.open(Clock.systemUTC());
        Switchboard a = scripted("node-a", atA, atA::cluster);
        // B's relayed events never arrive at A: B's relay signals are dropped, as while the channel is cut.
        Switchboard b = scripted("node-b", atB, id -> dropsRelays(atB.cluster(id), args -> true));
        UUID thread = b.createThread(null, null, false).threadId();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "stream me");
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", 10).put("delay_ms", 50);
        Run run = b.submit(RunRequest.of(thread, "scripted", input).withStrategy(MultitaskStrategy.ENQUEUE)
                .withConfig(config));

        try (dev.switchboard.event.Subscription onA = a.subscribe(run.runId(), -1)) {
            assertThat(b.await(run.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            await().atMost(WAIT).until(() -> {
                onA.next(Duration.ofMillis(100));
                return onA.isFinished();
            });
        }
    }

    /**
     * Found by R2 over HTTP at full size (seed 50790377025742, docs/reliability.md): the instance that admits a run
     * opens its log for its clients at once; when another instance executes the run and its relayed events are
     * lost, that log stayed open for ever (heartbeats only), since only logs opened to follow were repaired.
     */
    @Test
    void streamOnTheAdmittingInstance_whoseRelayedEventsAreLost_endsOnceTheRunHasEnded() throws Exception {
        Database atA = db.open(Clock.systemUTC());
        Database atB = db.open(Clock.systemUTC());
        // A admits but never claims a run (as an instance too slow to start it), so B's sweep takes it over.
        RunStore neverClaims = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("claimNext")) {
                        return Optional.empty();
                    }
                    try {
                        return method.invoke(atA.runs(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Switchboard a = Switchboard.builder().instanceId("node-a").lease(Duration.ofSeconds(3)).cluster(atA::cluster)
                .threadStore(atA.threads()).runStore(neverClaims).checkpointStore(atA.checkpoints())
                .operationStore(atA.operations()).itemStore(atA.items()).assistantStore(atA.assistants())
                .graph(dev.switchboard.scripted.ScriptedAgent.graph()).build();
        closing.add(a);
        Switchboard b = scripted("node-b", atB, id -> dropsRelays(atB.cluster(id), args -> true));
        UUID thread = a.createThread(null, null, false).threadId();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "stream me");
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", 10).put("delay_ms", 50);

        Run run = a.submit(RunRequest.of(thread, "scripted", input).withStrategy(MultitaskStrategy.ENQUEUE)
                .withConfig(config));

        try (dev.switchboard.event.Subscription onA = a.subscribe(run.runId(), -1)) {
            assertThat(b.await(run.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(atA.runs().get(run.runId()).orElseThrow().owner()).isEqualTo("node-b");
            await().atMost(WAIT).until(() -> {
                onA.next(Duration.ofMillis(100));
                return onA.isFinished();
            });
        }
    }

    /**
     * One relayed event lost (a signal dropped while the channel blinked): the follower's mirror took every later
     * event as out of order, so its stream ended with only what came before the loss. It now asks for the relay
     * again and fills the gap: every event, in order, as the executing instance has them.
     */
    @Test
    void joinStream_onAnotherInstance_whoseRelayLosesOneEvent_seesEveryEventInOrder() throws Exception {
        Database atA = db.open(Clock.systemUTC());
        Database atB = db.open(Clock.systemUTC());
        Switchboard a = scripted("node-a", atA, atA::cluster);
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        Switchboard b = scripted("node-b", atB, id -> dropsRelays(atB.cluster(id),
                args -> (long) args[1] == 3 && lost.compareAndSet(false, true)));
        UUID thread = b.createThread(null, null, false).threadId();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "stream me");
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", 12).put("delay_ms", 40);
        Run run = b.submit(RunRequest.of(thread, "scripted", input).withStrategy(MultitaskStrategy.ENQUEUE)
                .withConfig(config));

        List<dev.switchboard.event.SequencedEvent> seenOnA = new ArrayList<>();
        try (dev.switchboard.event.Subscription onA = a.subscribe(run.runId(), -1)) {
            await().atMost(WAIT).until(() -> {
                onA.next(Duration.ofMillis(100)).ifPresent(seenOnA::add);
                return onA.isFinished();
            });
        }
        List<dev.switchboard.event.SequencedEvent> onB = new ArrayList<>();
        try (dev.switchboard.event.Subscription all = b.eventLog(run.runId()).orElseThrow().subscribe(-1)) {
            while (!all.isFinished()) {
                all.next(Duration.ofSeconds(1)).ifPresent(onB::add);
            }
        }

        assertThat(lost).as("the relay of event 3 was dropped").isTrue();
        assertThat(seenOnA.stream().map(e -> e.sequence() + " " + e.event().getClass().getSimpleName()).toList())
                .as("the follower's stream, against the executing instance's log")
                .isEqualTo(onB.stream().map(e -> e.sequence() + " " + e.event().getClass().getSimpleName()).toList());
    }

    /**
     * A cluster whose relayed events {@code dropped} says of (by the relay call's arguments) never leave this
     * instance, as while the channel is cut.
     */
    private static dev.switchboard.cluster.Cluster dropsRelays(dev.switchboard.cluster.Cluster real,
            java.util.function.Predicate<Object[]> dropped) {
        return (dev.switchboard.cluster.Cluster) Proxy.newProxyInstance(
                dev.switchboard.cluster.Cluster.class.getClassLoader(),
                new Class<?>[] {dev.switchboard.cluster.Cluster.class}, (proxy, method, args) -> {
                    if (method.getName().equals("relay") && dropped.test(args)) {
                        return null;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Switchboard scripted(String id, Database database,
            java.util.function.Function<String, dev.switchboard.cluster.Cluster> cluster) {
        Switchboard s = Switchboard.builder().instanceId(id).lease(Duration.ofSeconds(3)).cluster(cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items()).assistantStore(database.assistants())
                .graph(dev.switchboard.scripted.ScriptedAgent.graph()).build();
        closing.add(s);
        return s;
    }

    private final List<Switchboard> closing = new ArrayList<>();

    @AfterEach
    void closeScripted() {
        closing.forEach(Switchboard::close);
    }

    private static RunRequest say(UUID thread, String text, int delayMs) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("step_ms", 1).put("delay_ms", delayMs);
        return RunRequest.of(thread, "lanes", input).withStrategy(MultitaskStrategy.ENQUEUE).withConfig(config);
    }

    /** One server instance on its own pool, joined to the others over PostgreSQL's signal channel. */
    private final class Instance implements AutoCloseable {
        final Semaphore gate = new Semaphore(0);
        final StorePartition partition = new StorePartition();
        /** When set, the instance's first checkpoint write after its run's input stalls until it is counted down. */
        final AtomicReference<CountDownLatch> stall = new AtomicReference<>();
        final AtomicReference<Checkpoint> stalled = new AtomicReference<>();
        final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        final Switchboard switchboard;

        Instance(String id, Duration lease) {
            Database database = db.open(Clock.systemUTC());
            ScriptedLaneModel model = new ScriptedLaneModel(List.<String[]>of(new String[] {"change", CHANGE}));
            switchboard = Switchboard.builder()
                    .graph(new AgentGraph("lanes", "", c -> model,
                            List.of(new ScriptedOperationTool(CHANGE, backend, gate)), null, null, null))
                    .instanceId(id)
                    .lease(lease)
                    .secondaryWait(Duration.ofSeconds(5))
                    .cluster(database::cluster)
                    .threadStore(partition.wrap(ThreadStore.class, database.threads()))
                    .runStore(partition.wrap(RunStore.class, database.runs()))
                    .checkpointStore(stalling(partition.wrap(CheckpointStore.class, database.checkpoints())))
                    .operationStore(partition.wrap(OperationStore.class, database.operations()))
                    .itemStore(partition.wrap(ItemStore.class, database.items()))
                    .assistantStore(partition.wrap(AssistantStore.class, database.assistants()))
                    .build();
            instances.add(this);
        }

        /** Every write of a checkpoint goes through here; a stall holds one (not interruptibly, as a GC pause). */
        private CheckpointStore stalling(CheckpointStore store) {
            return (CheckpointStore) Proxy.newProxyInstance(CheckpointStore.class.getClassLoader(),
                    new Class<?>[] {CheckpointStore.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("put") && args != null && args[0] instanceof Checkpoint c
                                && c.source() == Checkpoint.Source.LOOP && stall.get() != null
                                && stalled.compareAndSet(null, c)) {
                            boolean interrupted = false;
                            while (true) {
                                try {
                                    stall.get().await();
                                    break;
                                } catch (InterruptedException e) {
                                    interrupted = true;
                                }
                            }
                            try {
                                return method.invoke(store, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            } finally {
                                released.set(true);
                                if (interrupted) {
                                    java.lang.Thread.currentThread().interrupt();
                                }
                            }
                        }
                        if (method.getDeclaringClass() == Object.class) {
                            return method.invoke(store, args);
                        }
                        try {
                            return method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public void close() {
            switchboard.close();
        }
    }
}

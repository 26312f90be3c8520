package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.message.History;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.thread.ConversationState;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancellation is interruption (DESIGN.md §2), and an interrupt reaching a virtual thread blocked on a socket
 * closes the socket. Seen in R2 over HTTP: every cancel that caught a run inside a database call broke that pooled
 * connection (about 300 per full run) and failed the write in flight. A cancel now waits for the store call in
 * flight to end; the run stops at its next step.
 */
class CancelDuringAStoreCallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    private Switchboard switchboard;

    @AfterEach
    void close() {
        if (switchboard != null) {
            switchboard.close();
        }
    }

    @Test
    void cancel_ofARunInsideAStoreCall_letsTheCallFinish_andTheRunEndsInterrupted() throws Exception {
        Database database = postgres.open(Clock.systemUTC());
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch cancelSent = new CountDownLatch(1);
        AtomicReference<Object> slowCall = new AtomicReference<>();
        CheckpointStore real = database.checkpoints();
        // The run's input checkpoint is written after a slow statement on the same store path, during which
        // the run is cancelled.
        CheckpointStore slow = (CheckpointStore) Proxy.newProxyInstance(CheckpointStore.class.getClassLoader(),
                new Class<?>[] {CheckpointStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("putIfHeld") && args[0] instanceof Checkpoint c
                            && c.source() == Checkpoint.Source.INPUT && slowCall.get() == null) {
                        slowCall.set("started");
                        try {
                            slowCall.set(database.transactions().read(conn -> {
                                inCall.countDown();
                                try (var st = conn.prepareStatement("SELECT pg_sleep(0.3), 'completed'")) {
                                    awaitQuietly(cancelSent);
                                    try (var rs = st.executeQuery()) {
                                        rs.next();
                                        return rs.getString(2);
                                    }
                                }
                            }));
                        } catch (RuntimeException e) {
                            slowCall.set(e);
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        switchboard = Switchboard.builder().instanceId("node-a").lease(Duration.ofSeconds(10))
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(slow)
                .operationStore(database.operations()).itemStore(database.items()).assistantStore(database.assistants())
                .graph(dev.switchboard.scripted.ScriptedAgent.graph()).build();
        UUID thread = switchboard.createThread(null, null, false).threadId();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "hello");
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", 10).put("delay_ms", 20);
        Run run = switchboard.submit(RunRequest.of(thread, "scripted", input).withStrategy(MultitaskStrategy.ENQUEUE)
                .withConfig(config));
        await().atMost(WAIT).until(() -> inCall.getCount() == 0);

        switchboard.cancel(thread, run.runId(), CancelAction.INTERRUPT, false);
        cancelSent.countDown();

        assertThat(switchboard.await(run.runId(), WAIT)).get().extracting(Run::status)
                .isEqualTo(RunStatus.INTERRUPTED);
        assertThat(slowCall.get()).as("the store call the cancel caught").isEqualTo("completed");
        var messages = ConversationState.fromJson(database.checkpoints().latest(thread).orElseThrow().values())
                .messages();
        assertThat(History.violations(messages)).isEmpty();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            java.lang.Thread.currentThread().interrupt();
        }
    }
}

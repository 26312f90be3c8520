package dev.switchboard.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.SwitchboardException;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.cron.CronStore;
import dev.switchboard.cron.InMemoryCronStore;
import dev.switchboard.run.InMemoryRunStore;
import dev.switchboard.run.RunQuery;
import dev.switchboard.testkit.Faults;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deleting a thread while a message for it arrives: the message either arrives first (and its run is cancelled
 * with the thread) or after (and is refused as for any missing thread), never in between, where it would leave
 * a run, checkpoints or an operation on a thread that no longer exists.
 */
class ThreadDeletionRaceTest {
    private LaneHarness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void deleteThread_whileAMessageIsAdmitted_refusesTheMessageOrCancelsItsRun_neverLeavesAnOrphan()
            throws Exception {
        InMemoryRunStore runs = new InMemoryRunStore(Clock.systemUTC());
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        AtomicReference<Runnable> duringDelete = new AtomicReference<>(() -> { });
        // The deletion reaches the crons between its checks and the thread row.
        CronStore crons = Faults.wrap(CronStore.class, new InMemoryCronStore(), (method, args) -> {
            if (method.equals("deleteByThread")) {
                duringDelete.getAndSet(() -> { }).run();
            }
        });
        h = new LaneHarness(Duration.ofSeconds(10), m -> m,
                b -> b.runStore(runs).checkpointStore(checkpoints).cronStore(crons), List.of());
        UUID thread = h.newThread();
        h.awaitEnd(h.send(thread, "hello"));

        // A message for the thread is submitted after the deletion checked the thread, before the row is gone.
        AtomicReference<Object> outcome = new AtomicReference<>();
        java.lang.Thread sender = java.lang.Thread.ofPlatform().unstarted(() -> {
            try {
                outcome.set(h.send(thread, "one more thing"));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        duringDelete.set(() -> {
            sender.start();
            // Either the message is admitted now (the old race) or it waits for the deletion to finish.
            await().atMost(Duration.ofSeconds(10)).until(() -> outcome.get() != null
                    || sender.getState() == java.lang.Thread.State.WAITING);
        });
        h.switchboard.deleteThread(thread);
        sender.join(Duration.ofSeconds(20));

        assertThat(outcome.get()).as("the racing message, deleted thread").isInstanceOf(SwitchboardException.NotFound.class);
        assertThat(runs.list(thread, RunQuery.all())).isEmpty();
        assertThat(checkpoints.list(thread, Integer.MAX_VALUE, null)).isEmpty();
        assertThat(h.switchboard.operationStore().listByThread(thread)).isEmpty();
    }
}

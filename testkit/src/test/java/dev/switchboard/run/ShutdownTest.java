package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.InMemoryThreadStore;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A graceful stop: running runs finish within the grace, queued runs are handed back pending, nothing new is taken. */
class ShutdownTest {

    @Test
    void shutdown_withARunningAndAQueuedRun_finishesTheFirstAndHandsBackTheSecond() throws Exception {
        var runs = new InMemoryRunStore(Clock.systemUTC());
        var threads = new InMemoryThreadStore();
        var checkpoints = new InMemoryCheckpointStore();
        Switchboard first = Switchboard.builder().runStore(runs).threadStore(threads).checkpointStore(checkpoints)
                .instanceId("one").graph(ScriptedAgent.graph()).build();
        RuntimeHarness h = new RuntimeHarness(first);
        UUID thread = h.newThread();
        Run running = h.start(thread, "finish me", MultitaskStrategy.ENQUEUE, 20, 10, 0);
        h.awaitFirstToken(running);
        Run queued = h.startQuick(thread, "later", MultitaskStrategy.ENQUEUE);

        first.shutdown(Duration.ofSeconds(20));

        assertThat(runs.get(running.runId())).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(runs.get(queued.runId())).get().extracting(Run::status).isEqualTo(RunStatus.PENDING);
        assertThatThrownBy(() -> h.startQuick(thread, "too late", MultitaskStrategy.ENQUEUE))
                .isInstanceOf(SwitchboardException.Unavailable.class);

        try (Switchboard second = Switchboard.builder().runStore(runs).threadStore(threads).checkpointStore(checkpoints)
                .instanceId("one").graph(ScriptedAgent.graph()).build()) {
            assertThat(second.await(queued.runId(), Duration.ofSeconds(20))).get().extracting(Run::status)
                    .isEqualTo(RunStatus.SUCCESS);
        }
    }
}

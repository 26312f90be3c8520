package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** after_seconds: the run is recorded pending at once and started by a timer at its due time. */
class DelayedRunTest {

    @org.junit.jupiter.api.RepeatedTest(10)
    void afterSeconds_runStaysPendingUntilDueThenRuns() throws Exception {
        try (RuntimeHarness h = new RuntimeHarness()) {
            UUID thread = h.newThread();
            long t0 = System.nanoTime();
            Run run = h.switchboard.submit(RuntimeHarness.request(thread, "later", MultitaskStrategy.ENQUEUE, 2, 0, 0)
                    .withAfterSeconds(0.3));
            assertThat(run.status()).isEqualTo(RunStatus.PENDING);
            assertThat(run.notBefore()).isNotNull();
            assertThat(h.switchboard.run(thread, run.runId()).status()).isEqualTo(RunStatus.PENDING);
            assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            long startedAfterMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(startedAfterMs).as("the run may not start before its due time").isGreaterThanOrEqualTo(290);
        }
    }

    @Test
    void afterSeconds_aRunQueuedBehindADelayedOne_startsWhenDue() throws Exception {
        try (RuntimeHarness h = new RuntimeHarness()) {
            UUID thread = h.newThread();
            Run delayed = h.switchboard.submit(RuntimeHarness.request(thread, "later", MultitaskStrategy.ENQUEUE, 2, 0, 0)
                    .withAfterSeconds(0.2));
            Run now = h.startQuick(thread, "now", MultitaskStrategy.ENQUEUE);
            assertThat(h.awaitEnd(now)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(h.awaitEnd(delayed)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(h.transcript(thread)).first().isEqualTo("human:now");
        }
    }
}

package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.RunEvent;
import dev.switchboard.scripted.ScriptedAgent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §2: "no event of [the cancelled run] follows the first event of the new run". The event bus's
 * publish observer sees every publish inside its log's lock, so the recorded order is the real order.
 */
class CancelOrderTest {

    private record Published(UUID runId, long sequence, RunEvent event) {
    }

    @RepeatedTest(3)
    void doubleText_interruptAndRollback_cancelledStreamEndsBeforeTheNewRunPublishes() throws Exception {
        ConcurrentLinkedQueue<Published> order = new ConcurrentLinkedQueue<>();
        EventBus bus = new EventBus(Clock.systemUTC(), 10_000, Duration.ofMinutes(1));
        bus.observe((log, e) -> order.add(new Published(log.runId(), e.sequence(), e.event())));
        try (Switchboard sb = Switchboard.builder().graph(ScriptedAgent.graph()).eventBus(bus).build();
                RuntimeHarness h = new RuntimeHarness(sb)) {
            for (int i = 0; i < 100; i++) {
                MultitaskStrategy strategy = i % 2 == 0 ? MultitaskStrategy.INTERRUPT : MultitaskStrategy.ROLLBACK;
                UUID thread = h.newThread();
                // Half the time the first run is streaming tokens, half the time it is asleep in a tool.
                Run first = i % 4 < 2 ? h.startLong(thread, "first", MultitaskStrategy.ENQUEUE)
                        : h.startBlockedInTool(thread, MultitaskStrategy.ENQUEUE);
                if (i % 4 < 2) {
                    h.awaitFirstToken(first);
                } else {
                    h.awaitToolStarted(first);
                }
                order.clear();
                Run second = h.startQuick(thread, "second", strategy);
                h.awaitEnd(second);

                List<Published> seen = new ArrayList<>(order);
                int firstEnd = indexOf(seen, first.runId(), RunEvent.End.class);
                int secondStart = indexOf(seen, second.runId(), RunEvent.Metadata.class);
                assertThat(firstEnd).as("first run's stream ended (%s)", strategy).isNotNegative();
                assertThat(secondStart).as("second run started").isNotNegative();
                assertThat(firstEnd).as("iteration %d (%s): end of the cancelled run before the new run's first event",
                        i, strategy).isLessThan(secondStart);
                assertThat(seen.subList(secondStart, seen.size()))
                        .noneMatch(p -> p.runId().equals(first.runId()));
            }
        }
    }

    @Test
    void doubleText_cancelledRunsLastEventsSayWhyAndNoError() throws Exception {
        try (RuntimeHarness h = new RuntimeHarness()) {
            UUID thread = h.newThread();
            Run first = h.startLong(thread, "first", MultitaskStrategy.ENQUEUE);
            h.awaitFirstToken(first);
            Run second = h.startQuick(thread, "second", MultitaskStrategy.INTERRUPT);
            h.awaitEnd(second);
            List<RunEvent> events = h.events(first.runId());
            assertThat(events).noneMatch(e -> e instanceof RunEvent.Error);
            assertThat(events.get(events.size() - 2)).isInstanceOfSatisfying(RunEvent.RunCancelled.class, c -> {
                assertThat(c.payload().path("type").asText()).isEqualTo("run_cancelled");
                assertThat(c.action()).isEqualTo("interrupt");
            });
        }
    }

    private static int indexOf(List<Published> seen, UUID runId, Class<? extends RunEvent> type) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).runId().equals(runId) && type.isInstance(seen.get(i).event())) {
                return i;
            }
        }
        return -1;
    }
}

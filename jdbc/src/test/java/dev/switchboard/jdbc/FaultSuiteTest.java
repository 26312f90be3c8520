package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.message.History;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.ConversationState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault-injection suite (docs/reliability.md): several instances on one PostgreSQL, driven by a seeded random
 * schedule. CI runs the small size; {@code -Dswitchboard.faults.full=true} runs the full one;
 * {@code -Dswitchboard.faults.seed=N} replays one seed. Every failure names its seed.
 */
@Tag("faults")
class FaultSuiteTest {
    private static final boolean FULL = Boolean.getBoolean("switchboard.faults.full");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private final List<Switchboard> instances = new ArrayList<>();

    @AfterEach
    void close() {
        instances.forEach(Switchboard::close);
    }

    private Switchboard instance(String id) {
        Database database = db.open(Clock.systemUTC());
        Switchboard s = Switchboard.builder().instanceId(id).cluster(database::cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items()).assistantStore(database.assistants())
                .graph(ScriptedAgent.graph()).build();
        instances.add(s);
        return s;
    }

    private static long seed() {
        return Long.getLong("switchboard.faults.seed", System.nanoTime());
    }

    /**
     * R2: random interleavings against three instances: double-texts with every strategy, cancels, waits, each
     * sent to a random instance. At most one running main run per thread at every sample, every run ends, every
     * history stays valid.
     */
    @Test
    void r2_randomInterleavingsOverThreeInstances_keepEveryInvariant() throws Exception {
        long seed = seed();
        int operations = FULL ? 2_000 : 120;
        Random random = new Random(seed);
        List<Switchboard> nodes = List.of(instance("r2-a"), instance("r2-b"), instance("r2-c"));
        Database observer = db.open(Clock.systemUTC());
        List<UUID> threads = new ArrayList<>();
        for (int i = 0; i < (FULL ? 8 : 3); i++) {
            threads.add(nodes.get(i % 3).createThread(null, null, false).threadId());
        }
        List<Run> submitted = new ArrayList<>();
        int rejected = 0;
        MultitaskStrategy[] strategies = MultitaskStrategy.values();
        for (int i = 0; i < operations; i++) {
            Switchboard node = nodes.get(random.nextInt(3));
            UUID thread = threads.get(random.nextInt(threads.size()));
            int kind = random.nextInt(10);
            try {
                if (kind < 7) {
                    MultitaskStrategy strategy = strategies[random.nextInt(strategies.length)];
                    submitted.add(node.submit(say(thread, "m" + i, strategy, 1 + random.nextInt(4), random.nextInt(15))));
                } else if (kind < 9 && !submitted.isEmpty()) {
                    Run victim = submitted.get(random.nextInt(submitted.size()));
                    node.cancel(victim.threadId(), victim.runId(),
                            random.nextBoolean() ? CancelAction.INTERRUPT : CancelAction.ROLLBACK, random.nextBoolean());
                } else if (!submitted.isEmpty()) {
                    Run awaited = submitted.get(random.nextInt(submitted.size()));
                    Optional<Run> ended = node.await(awaited.runId(), WAIT);
                    assertThat(ended.map(r -> r.status().isTerminal()).orElse(true))
                            .as("seed %d: a wait on %s returned the run ended (or deleted)", seed, awaited.runId()).isTrue();
                }
            } catch (SwitchboardException.Conflict expected) {
                rejected++;
            } catch (SwitchboardException.NotFound rolledBack) {
                // a cancel of a run an earlier rollback deleted: 404, as a client sees it
            }
            for (UUID t : threads) {
                long running = observer.runs().active(t, Lane.MAIN).stream()
                        .filter(r -> r.status() == RunStatus.RUNNING).count();
                assertThat(running).as("seed %d: running main runs of thread %s after step %d", seed, t, i)
                        .isLessThanOrEqualTo(1);
            }
        }
        for (Run run : submitted) {
            Optional<Run> ended = nodes.get(random.nextInt(3)).await(run.runId(), WAIT);
            assertThat(ended.map(r -> r.status().isTerminal()).orElse(true))
                    .as("seed %d: run %s ended", seed, run.runId()).isTrue();
        }
        for (UUID t : threads) {
            var messages = observer.checkpoints().latest(t)
                    .map(c -> ConversationState.fromJson(c.values()).messages()).orElse(List.of());
            assertThat(History.violations(messages)).as("seed %d: history of %s", seed, t).isEmpty();
            assertThat(observer.runs().active(t, Lane.MAIN)).as("seed %d: nothing left active", seed).isEmpty();
        }
        System.out.printf("R2 seed %d: %d operations, %d runs, %d rejected%n", seed, operations, submitted.size(), rejected);
    }

    /**
     * R7: a client that drops its stream at random points and reconnects, with the last sequence it saw (what
     * Last-Event-ID carries), to a different instance each time: it sees every event once, in order, to the end.
     */
    @Test
    void r7_streamReconnectingOnADifferentInstance_missesNothingAndRepeatsNothing() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        List<Switchboard> nodes = List.of(instance("r7-a"), instance("r7-b"), instance("r7-c"));
        int trials = FULL ? 30 : 4;
        for (int trial = 0; trial < trials; trial++) {
            UUID thread = nodes.get(0).createThread(null, null, false).threadId();
            int executing = random.nextInt(3);
            Run run = nodes.get(executing).submit(say(thread, "stream me", MultitaskStrategy.ENQUEUE, 80, 5));
            List<Long> seen = new ArrayList<>();
            RunEvent last = null;
            int node = executing;
            int reconnects = 0;
            while (!(last instanceof RunEvent.End)) {
                node = (node + 1 + random.nextInt(2)) % 3;
                long after = seen.isEmpty() ? -1 : seen.getLast();
                Subscription sub;
                try {
                    sub = nodes.get(node).subscribe(run.runId(), after);
                } catch (SwitchboardException.NotFound endedElsewhere) {
                    // The run ended and this instance never mirrored it: a client is sent back to where it ran.
                    sub = nodes.get(executing).subscribe(run.runId(), after);
                }
                reconnects++;
                try (Subscription s = sub) {
                    int take = 1 + random.nextInt(12);
                    for (int k = 0; k < take && !s.isFinished(); k++) {
                        Optional<SequencedEvent> e = s.next(Duration.ofSeconds(20));
                        assertThat(e).as("seed %d trial %d: events keep arriving on node %d", seed, trial, node)
                                .isPresent();
                        seen.add(e.get().sequence());
                        last = e.get().event();
                        if (last instanceof RunEvent.End) {
                            break;
                        }
                    }
                }
            }
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i)).as("seed %d trial %d: event %d (no gap, no duplicate) over %d reconnects",
                        seed, trial, i, reconnects).isEqualTo((long) i);
            }
        }
        System.out.printf("R7 seed %d: %d trials%n", seed, trials);
    }

    private static RunRequest say(UUID thread, String text, MultitaskStrategy strategy, int tokens, int delayMs) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", tokens).put("delay_ms", delayMs);
        return RunRequest.of(thread, "scripted", input).withStrategy(strategy).withConfig(config);
    }
}

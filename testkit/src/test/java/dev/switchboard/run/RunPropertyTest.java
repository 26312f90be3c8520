package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.History;
import dev.switchboard.scripted.ScriptedAgent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * Seeded random sequences of runs, double-texts under every strategy, explicit cancels and model failures.
 * After every step: at most one active... running main run per thread; at the end of each sequence: history
 * valid, every stream ended, no terminal status ever changed. A publish observer also checks, continuously,
 * that no run of a thread starts while another of the same thread is still publishing.
 */
class RunPropertyTest {
    private static final int SEQUENCES = 1_000;
    private static final long SEED = 20261122L;

    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> seen =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void count(String what) {
        seen.computeIfAbsent(what, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    @Test
    void randomDoubleTexts_keepEveryInvariant() throws Exception {
        Map<UUID, UUID> publishingRunByThread = new ConcurrentHashMap<>();
        Set<String> overlapViolations = ConcurrentHashMap.newKeySet();
        EventBus bus = new EventBus(Clock.systemUTC(), 10_000, Duration.ofMinutes(5));
        bus.observe((log, e) -> {
            if (e.event() instanceof RunEvent.Metadata) {
                UUID other = publishingRunByThread.putIfAbsent(log.threadId(), log.runId());
                if (other != null) {
                    overlapViolations.add("run " + log.runId() + " started while " + other + " was still running");
                }
            } else if (e.event() instanceof RunEvent.End) {
                publishingRunByThread.remove(log.threadId(), log.runId());
            }
        });
        try (Switchboard sb = Switchboard.builder().graph(ScriptedAgent.graph()).eventBus(bus).build();
                RuntimeHarness h = new RuntimeHarness(sb);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore parallel = new Semaphore(16);
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < SEQUENCES; i++) {
                long seed = SEED + i;
                parallel.acquire();
                results.add(pool.submit(() -> {
                    try {
                        runSequence(h, bus, new Random(seed), seed);
                        return null;
                    } finally {
                        parallel.release();
                    }
                }));
            }
            for (Future<?> f : results) {
                f.get();
            }
        }
        assertThat(overlapViolations).isEmpty();
        // The sequences must really have exercised every path, or the invariants above prove little.
        System.out.println("property test coverage: " + seen);
        for (String path : List.of("rejected", "interrupted", "rolled_back", "error", "success", "tool_call",
                "double_text_while_active")) {
            assertThat(seen.getOrDefault(path, new java.util.concurrent.atomic.LongAdder()).sum())
                    .as("sequences that hit %s", path).isGreaterThan(20);
        }
    }

    private void runSequence(RuntimeHarness h, EventBus bus, Random random, long seed) throws Exception {
        UUID thread = h.newThread();
        List<UUID> admitted = new ArrayList<>();
        Map<UUID, RunStatus> terminalSeen = new ConcurrentHashMap<>();
        int steps = 3 + random.nextInt(5);
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(10);
            if (op < 7 || admitted.isEmpty()) {
                MultitaskStrategy strategy = MultitaskStrategy.values()[random.nextInt(4)];
                String text = switch (random.nextInt(5)) {
                    case 0 -> "please use the tool";
                    case 1 -> "this should fail";
                    default -> "message " + step;
                };
                RunRequest request = RuntimeHarness.request(thread, text, strategy, 1 + random.nextInt(15),
                        random.nextInt(3), random.nextInt(4));
                if (strategy == MultitaskStrategy.ROLLBACK && random.nextBoolean()) {
                    request = request.withSupersededInput(SupersededInput.CARRY);
                }
                if (!h.runs(thread).stream().filter(r -> r.status().isActive()).toList().isEmpty()) {
                    count("double_text_while_active");
                }
                try {
                    admitted.add(h.switchboard.submit(request).runId());
                } catch (SwitchboardException.Conflict busy) {
                    count("rejected");
                    assertThat(strategy).as("seed %d: only reject refuses", seed).isEqualTo(MultitaskStrategy.REJECT);
                }
            } else if (op < 9) {
                UUID victim = admitted.get(random.nextInt(admitted.size()));
                CancelAction action = random.nextBoolean() ? CancelAction.INTERRUPT : CancelAction.ROLLBACK;
                try {
                    h.switchboard.cancel(thread, victim, action, random.nextBoolean());
                } catch (SwitchboardException.NotFound gone) {
                    // rolled back earlier: cancelling a deleted run is a 404, as for any unknown run
                }
            } else {
                Thread.sleep(random.nextInt(3));
            }
            checkAtMostOneRunning(h, thread, seed);
            recordTerminal(h, thread, admitted, terminalSeen, seed);
        }
        for (UUID id : admitted) {
            h.switchboard.await(id, RuntimeHarness.WAIT);
        }
        checkAtMostOneRunning(h, thread, seed);
        recordTerminal(h, thread, admitted, terminalSeen, seed);
        assertThat(h.runs(thread)).as("seed %d: nothing active at the end", seed).allMatch(r -> r.status().isTerminal());
        List<Run> finalRuns = h.runs(thread);
        finalRuns.forEach(r -> count(r.status().wireName()));
        for (int i = 0; i < admitted.size() - finalRuns.size(); i++) {
            count("rolled_back");
        }
        if (h.messages(thread).stream().anyMatch(m -> m instanceof dev.switchboard.message.ToolMessage)) {
            count("tool_call");
        }
        assertThat(History.violations(h.messages(thread))).as("seed %d: history valid", seed).isEmpty();
        for (UUID id : admitted) {
            assertThat(bus.find(id)).as("seed %d: log of %s retained", seed, id).isPresent();
            assertThat(bus.find(id).map(EventLog::isClosed)).as("seed %d: stream of %s ended", seed, id).contains(true);
        }
    }

    private static void checkAtMostOneRunning(RuntimeHarness h, UUID thread, long seed) {
        long running = h.runs(thread).stream().filter(r -> r.status() == RunStatus.RUNNING).count();
        assertThat(running).as("seed %d: running runs on one thread", seed).isLessThanOrEqualTo(1);
    }

    private static void recordTerminal(RuntimeHarness h, UUID thread, List<UUID> admitted,
            Map<UUID, RunStatus> terminalSeen, long seed) {
        Map<UUID, Run> now = new ConcurrentHashMap<>();
        h.runs(thread).forEach(r -> now.put(r.runId(), r));
        for (UUID id : admitted) {
            RunStatus before = terminalSeen.get(id);
            Run current = now.get(id);
            if (before != null) {
                assertThat(current).as("seed %d: finished run %s vanished", seed, id).isNotNull();
                assertThat(current.status()).as("seed %d: terminal status of %s changed", seed, id).isEqualTo(before);
            } else if (current != null && current.status().isTerminal()) {
                terminalSeen.put(id, current.status());
            }
        }
    }
}

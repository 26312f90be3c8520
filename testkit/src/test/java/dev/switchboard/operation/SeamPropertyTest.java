package dev.switchboard.operation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.SupersededInput;
import dev.switchboard.testkit.Faults;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seams of issue "core integrity" under random interleavings: seeded sequences of operations, double-texts
 * under every strategy with and without carry, bursts of secondary messages with a 0 ms secondary wait,
 * metadata patches and state updates racing the runs, Errors thrown by a tool, and (in the faulty profile)
 * store failures injected at random checkpoint writes and run claims. After every step at most one main run
 * of a thread is running; once a sequence settles: no pending run is left unstarted, thread status agrees with
 * its runs, every tool call has exactly one result, every operation's outcome is in the thread exactly once,
 * and every secondary exchange that completed is in {@code messages}.
 */
class SeamPropertyTest {
    private static final long SEED = 11_042_026L;

    enum Profile {
        /** 0 ms secondary wait: the lane closes the moment the operation ends. */
        ZERO_WAIT(Duration.ZERO, 0.0, 2_000),
        /** Store failures injected at 2 % of checkpoint writes and run claims. */
        FAULTY(Duration.ofMillis(10), 0.02, 1_000);

        final Duration secondaryWait;
        final double faultRate;
        final int sequences;

        Profile(Duration secondaryWait, double faultRate, int sequences) {
            this.secondaryWait = secondaryWait;
            this.faultRate = faultRate;
            this.sequences = sequences;
        }
    }

    private final Map<String, LongAdder> seen = new ConcurrentHashMap<>();

    private void count(String what) {
        seen.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void randomInterleavingsAtTheSeams_keepEveryInvariant(Profile profile) throws Exception {
        volatile_faults = profile.faultRate;
        faulty = profile.faultRate > 0;
        Faults.Rule checkpointFaults = (method, args) -> {
            if (method.equals("put") && ThreadLocalRandom.current().nextDouble() < volatile_faults) {
                throw new Faults.InjectedFault("checkpoint put");
            }
        };
        Faults.Rule runFaults = (method, args) -> {
            if (method.equals("claimNext") && ThreadLocalRandom.current().nextDouble() < volatile_faults) {
                throw new Faults.InjectedFault("claimNext");
            }
        };
        Tool explode = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("explode", "Fails badly", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                throw new AssertionError("a bug in a tool");
            }
        };
        try (LaneHarness h = new LaneHarness(profile.secondaryWait, m -> m, b -> b
                .checkpointStore(Faults.wrap(CheckpointStore.class, new InMemoryCheckpointStore(), checkpointFaults))
                .runStore(Faults.wrap(dev.switchboard.run.RunStore.class,
                        new dev.switchboard.run.InMemoryRunStore(java.time.Clock.systemUTC()), runFaults))
                .lease(Duration.ofSeconds(3)), List.of(explode));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            h.release();
            h.gate.release(Integer.MAX_VALUE - 2000);
            Semaphore parallel = new Semaphore(8);
            List<Future<?>> results = new ArrayList<>();
            // -Dswitchboard.seams.factor=N runs N times as many sequences (a longer run on demand).
            int sequences = profile.sequences * Integer.getInteger("switchboard.seams.factor", 1);
            for (int i = 0; i < sequences; i++) {
                long seed = SEED + profile.ordinal() * 100_000L + i;
                parallel.acquire();
                results.add(pool.submit(() -> {
                    try {
                        sequence(h, new Random(seed), seed);
                        return null;
                    } finally {
                        parallel.release();
                    }
                }));
            }
            for (Future<?> f : results) {
                f.get();
            }
            assertThat(h.backend.applied().keySet()).allSatisfy(key -> assertThat(h.backend.requests(key)).isEqualTo(1));
        } finally {
            volatile_faults = 0;
        }
        System.out.println("seam property coverage (" + profile + "): " + seen);
        for (String path : List.of("operation_succeeded", "secondary", "interrupted", "rolled_back_carry", "report_run",
                "patch", "error")) {
            assertThat(seen.getOrDefault(path, new LongAdder()).sum()).as(path).isGreaterThanOrEqualTo(3);
        }
    }

    /** Read by the fault rules; zero while a sequence settles its final checks. */
    private static volatile double volatile_faults;

    private boolean faulty;

    private void sequence(LaneHarness h, Random random, long seed) throws Exception {
        UUID thread = h.newThread();
        List<UUID> admitted = new ArrayList<>();
        int steps = 3 + random.nextInt(6);
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(14);
            String text = switch (op) {
                case 0, 1, 2 -> "change my plan " + step;
                case 3 -> "how far along is it?";
                case 4, 5 -> "question " + step + " tell me something";
                case 6 -> "what's my balance";
                case 7 -> "cancel that";
                case 8 -> "explode now";
                default -> "hello " + step;
            };
            if (op == 13 && !admitted.isEmpty()) {
                UUID victim = admitted.get(random.nextInt(admitted.size()));
                try {
                    h.switchboard.cancel(thread, victim, random.nextBoolean() ? CancelAction.INTERRUPT
                            : CancelAction.ROLLBACK, false);
                } catch (SwitchboardException.NotFound gone) {
                    // rolled back already
                }
            } else if (op == 12) {
                ObjectNode patch = Json.object();
                patch.put("k" + step, step);
                try {
                    h.switchboard.patchThread(thread, patch);
                    count("patch");
                } catch (SwitchboardException e) {
                    // never expected; rethrown with the seed below
                    throw new AssertionError("seed " + seed + ": patch refused", e);
                }
            } else if (op == 11) {
                ObjectNode values = Json.object();
                values.put("note", "n" + step);
                try {
                    h.switchboard.updateState(thread, values, null, null);
                    count("state_update");
                } catch (SwitchboardException.Conflict busy) {
                    count("state_update_refused");
                } catch (Faults.InjectedFault storeDown) {
                    count("state_update_fault"); // an error to the client, and nothing written
                }
            } else {
                MultitaskStrategy strategy = MultitaskStrategy.values()[random.nextInt(4)];
                boolean carry = strategy == MultitaskStrategy.ROLLBACK && random.nextBoolean();
                try {
                    Run run = h.switchboard.submit(LaneHarness.request(thread, text, strategy, null,
                                    random.nextInt(3) == 0 ? 5 : 0, null)
                            .withSupersededInput(carry ? SupersededInput.CARRY : SupersededInput.DROP)
                            .withConfigurable("step_ms", Json.mapper().getNodeFactory().numberNode(1 + random.nextInt(5))));
                    admitted.add(run.runId());
                    if (run.lane() == Lane.SECONDARY) {
                        count("secondary");
                    }
                    if (carry) {
                        count("rolled_back_carry");
                    }
                } catch (SwitchboardException.Conflict busy) {
                    assertThat(strategy).as("seed %d", seed).isEqualTo(MultitaskStrategy.REJECT);
                } catch (Faults.InjectedFault refused) {
                    count("admission_fault"); // the client got an error and no run; nothing to check
                }
            }
            if (random.nextBoolean()) {
                Thread.sleep(random.nextInt(3));
            }
            long running = h.switchboard.runs(thread, RunQuery.all()).stream()
                    .filter(r -> r.status() == RunStatus.RUNNING && r.lane() == Lane.MAIN).count();
            assertThat(running).as("seed %d: running main runs", seed).isLessThanOrEqualTo(1);
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10)).until(() ->
                    h.switchboard.runs(thread, RunQuery.all()).stream().allMatch(r -> r.status().isTerminal())
                            && h.switchboard.operations(thread).stream().allMatch(o -> o.status().isTerminal() && o.reported())
                            // The thread row follows its runs within each run's finish (whoever awaits a run sees
                            // both); after an injected store fault, a failed run's calls are closed by a retry.
                            && !h.switchboard.thread(thread).status().wireName().equals("busy")
                            && (h.violations(thread).isEmpty() || !faulty));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(dump("seed " + seed + " did not settle", h, thread), e);
        }
        check(h, thread, seed);
    }

    private void check(LaneHarness h, UUID thread, long seed) {
        List<Message> messages = h.messages(thread);
        if (!h.violations(thread).isEmpty()) {
            throw new AssertionError(dump("seed " + seed + " history " + h.violations(thread), h, thread));
        }
        Map<String, Integer> results = new HashMap<>();
        for (Message m : messages) {
            if (m instanceof ToolMessage t) {
                results.merge(t.toolCallId(), 1, Integer::sum);
            }
        }
        if (results.values().stream().anyMatch(n -> n != 1)) {
            throw new AssertionError(dump("seed " + seed + ": a tool call has more than one result " + results, h, thread));
        }
        for (Operation op : h.switchboard.operations(thread)) {
            // Outcomes written on the main lane (a secondary check_status may see the end too; that is a status).
            long written = messages.stream().filter(m -> m instanceof ToolMessage t
                    && !m.additionalKwargs().path("lane").asText().equals("secondary")
                    && OperationReports_outcome(t, op)).count();
            long plain = messages.stream().filter(m -> m instanceof AiMessage && m.content().startsWith("Update on your request")
                    && m.content().contains(op.toolName())).count();
            if (written + plain != 1 && !(written == 1 && plain <= 1)) {
                throw new AssertionError(dump("seed " + seed + ": outcome of " + op.operationId() + " written " + written
                        + " times, plain " + plain, h, thread));
            }
            count("operation_" + op.status().wireName());
        }
        List<String> contents = messages.stream().map(Message::content).toList();
        List<Run> runs = h.switchboard.runs(thread, RunQuery.all());
        for (Run r : runs) {
            count(r.status().wireName());
            if (r.metadata().path("kind").asText().equals("operation_report")) {
                count("report_run");
            }
            if (r.lane() == Lane.SECONDARY && r.status() == RunStatus.SUCCESS) {
                String question = r.input().path("messages").get(0).path("content").asText();
                if (!contents.contains(question)) {
                    throw new AssertionError(dump("seed " + seed + ": completed secondary exchange '" + question
                            + "' is missing from messages", h, thread));
                }
            }
        }
        if (h.switchboard.thread(thread).status().wireName().equals("busy")) {
            throw new AssertionError(dump("seed " + seed + ": thread busy with every run ended", h, thread));
        }
    }

    private static boolean OperationReports_outcome(ToolMessage t, Operation op) {
        if (!t.content().contains(op.operationId().toString())) {
            return false;
        }
        var json = Json.parse(t.content());
        return !json.has("note") && json.path("status").asText().equals(op.status().wireName());
    }

    private static String dump(String headline, LaneHarness h, UUID thread) {
        StringBuilder dump = new StringBuilder(headline).append('\n');
        for (Message m : h.messages(thread)) {
            dump.append(m.type().wireName()).append(' ').append(m.additionalKwargs().path("lane").asText("main")).append(' ');
            if (m instanceof AiMessage ai) {
                ai.toolCalls().forEach(c -> dump.append("call=").append(c.id()).append('/').append(c.name()).append(' '));
            }
            if (m instanceof ToolMessage t) {
                dump.append("answers=").append(t.toolCallId()).append(' ');
            }
            dump.append(m.content(), 0, Math.min(90, m.content().length())).append('\n');
        }
        for (Run r : h.switchboard.runs(thread, RunQuery.all())) {
            dump.append("run ").append(r.runId()).append(' ').append(r.lane()).append(' ').append(r.status())
                    .append(' ').append(r.multitaskStrategy()).append(' ').append(r.metadata().path("kind").asText())
                    .append(' ').append(r.input()).append('\n');
        }
        for (Operation o : h.switchboard.operations(thread)) {
            dump.append("op ").append(o.operationId()).append(' ').append(o.status()).append(" reported=")
                    .append(o.reported()).append(" run=").append(o.runId()).append('\n');
        }
        return dump.toString();
    }
}

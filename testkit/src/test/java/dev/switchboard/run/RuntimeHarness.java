package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.ConversationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/** A runtime on in-memory stores with the scripted agent, and the waits the runtime tests share. */
final class RuntimeHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final Switchboard switchboard;

    RuntimeHarness() {
        this(ScriptedAgent.graph(40, 0, 0));
    }

    RuntimeHarness(AgentGraph graph) {
        this(Switchboard.builder().graph(graph).build());
    }

    RuntimeHarness(Switchboard switchboard) {
        this.switchboard = switchboard;
    }

    UUID newThread() {
        return switchboard.createThread(null, null, false).threadId();
    }

    /** A run with the scripted knobs: {@code tokens} tokens, {@code delayMs} before each, tool sleeping {@code toolSleepMs}. */
    Run start(UUID thread, String text, MultitaskStrategy strategy, int tokens, int delayMs, int toolSleepMs) {
        return switchboard.submit(request(thread, text, strategy, tokens, delayMs, toolSleepMs));
    }

    static RunRequest request(UUID thread, String text, MultitaskStrategy strategy, int tokens, int delayMs,
            int toolSleepMs) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        ObjectNode configurable = config.putObject("configurable");
        configurable.put("tokens", tokens);
        configurable.put("delay_ms", delayMs);
        configurable.put("tool_sleep_ms", toolSleepMs);
        return RunRequest.of(thread, ScriptedAgent.GRAPH_ID, input).withStrategy(strategy).withConfig(config);
    }

    /** A run that streams for a long time (until cancelled). */
    Run startLong(UUID thread, String text, MultitaskStrategy strategy) {
        return start(thread, text, strategy, 10_000, 5, 0);
    }

    /** A run that blocks in the slow tool until cancelled. */
    Run startBlockedInTool(UUID thread, MultitaskStrategy strategy) {
        return start(thread, "please use the tool", strategy, 5, 0, 600_000);
    }

    Run startQuick(UUID thread, String text, MultitaskStrategy strategy) {
        return start(thread, text, strategy, 3, 0, 0);
    }

    /** Blocks until the run's stream shows an event matching {@code match}; returns it. */
    RunEvent awaitEvent(UUID runId, Predicate<RunEvent> match) throws InterruptedException {
        try (Subscription sub = switchboard.subscribe(runId, -1)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                Optional<SequencedEvent> next = sub.next(Duration.ofNanos(deadline - System.nanoTime()));
                if (next.isPresent() && match.test(next.get().event())) {
                    return next.get().event();
                }
                if (sub.isFinished()) {
                    break;
                }
            }
        }
        throw new AssertionError("run " + runId + " never showed the expected event");
    }

    void awaitFirstToken(Run run) throws InterruptedException {
        awaitEvent(run.runId(), e -> e instanceof RunEvent.MessageChunk);
    }

    void awaitToolStarted(Run run) throws InterruptedException {
        awaitEvent(run.runId(), e -> e instanceof RunEvent.Custom c && c.payload().path("phase").asText().equals("start"));
    }

    /** Every event of a run, in order, from the start of its (retained) log to its end. */
    List<RunEvent> events(UUID runId) throws InterruptedException {
        List<RunEvent> all = new ArrayList<>();
        try (Subscription sub = switchboard.subscribe(runId, -1)) {
            while (!sub.isFinished()) {
                Optional<SequencedEvent> next = sub.next(WAIT);
                if (next.isEmpty()) {
                    throw new AssertionError("run " + runId + " stream did not end");
                }
                all.add(next.get().event());
            }
        }
        return all;
    }

    Optional<Run> awaitEnd(Run run) throws Exception {
        return switchboard.await(run.runId(), WAIT);
    }

    List<Message> messages(UUID thread) {
        return switchboard.state(thread, null).map(c -> ConversationState.fromJson(c.values()).messages())
                .orElse(List.of());
    }

    /** Message texts as "type:content" for compact assertions. */
    List<String> transcript(UUID thread) {
        return messages(thread).stream().map(m -> m.type().wireName() + ":" + m.content()).toList();
    }

    void assertHistoryValid(UUID thread) {
        assertThat(History.violations(messages(thread))).as("history violations").isEmpty();
    }

    List<Run> runs(UUID thread) {
        return switchboard.runs(thread, RunQuery.all());
    }

    @Override
    public void close() {
        switchboard.close();
    }
}

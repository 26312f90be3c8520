package dev.switchboard.operation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Predicate;

/** A runtime with a lane-aware scripted agent: a gated long-running tool, a second one, and a quick tool. */
final class LaneHarness implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String CHANGE = "change_plan";
    static final String CLOSE = "close_account";

    final RecordingBackend backend = new RecordingBackend();
    final Semaphore gate = new Semaphore(0);
    final Switchboard switchboard;
    /** Every request the model was sent, in order. */
    final List<ModelRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    LaneHarness(Duration secondaryWait) {
        this(secondaryWait, m -> m, b -> { }, List.of());
    }

    /**
     * With {@code wrapModel} around the scripted model, {@code customize} applied to the builder (fault-injecting
     * stores) and {@code extraTools} offered too.
     */
    LaneHarness(Duration secondaryWait, java.util.function.UnaryOperator<dev.switchboard.model.ChatModel> wrapModel,
            java.util.function.Consumer<Switchboard.Builder> customize, List<Tool> extraTools) {
        ScriptedLaneModel scripted = new ScriptedLaneModel(List.of(
                new String[] {"cancel", OperationTools.CANCEL_OPERATION},
                new String[] {"how far", OperationTools.CHECK_STATUS},
                new String[] {"status", OperationTools.CHECK_STATUS},
                new String[] {"balance", "get_balance"},
                new String[] {"close my contract", CLOSE},
                new String[] {"explode", "explode"},
                new String[] {"change", CHANGE}));
        dev.switchboard.model.ChatModel model = wrapModel.apply(scripted);
        Tool balance = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("get_balance", "Data balance", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return "3.2 GB left";
            }
        };
        ChatModel recording = (request, listener) -> {
            requests.add(request);
            return model.chat(request, listener);
        };
        List<Tool> tools = new java.util.ArrayList<>(List.of(new ScriptedOperationTool(CHANGE, backend, gate),
                new ScriptedOperationTool(CLOSE, backend), balance));
        tools.addAll(extraTools);
        AgentGraph graph = new AgentGraph("lanes", "You are the main lane.", c -> recording, tools,
                "You are the secondary lane.", null, null);
        Switchboard.Builder builder = Switchboard.builder().graph(graph).secondaryWait(secondaryWait);
        customize.accept(builder);
        switchboard = builder.build();
    }

    UUID newThread() {
        return switchboard.createThread(null, null, false).threadId();
    }

    Run send(UUID thread, String text, MultitaskStrategy strategy, String threadType, int delayMs) {
        return switchboard.submit(request(thread, text, strategy, threadType, delayMs, null));
    }

    Run send(UUID thread, String text) {
        return send(thread, text, MultitaskStrategy.ENQUEUE, null, 0);
    }

    static RunRequest request(UUID thread, String text, MultitaskStrategy strategy, String threadType, int delayMs,
            List<String> namespace) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        if (threadType != null) {
            input.put("thread_type", threadType);
        }
        ObjectNode config = Json.object();
        ObjectNode configurable = config.putObject("configurable");
        configurable.put("delay_ms", delayMs);
        configurable.put("step_ms", 1);
        if (namespace != null) {
            var ns = configurable.putArray("namespace_for_memory");
            namespace.forEach(ns::add);
        }
        return RunRequest.of(thread, "lanes", input).withStrategy(strategy).withConfig(config);
    }

    /** Blocks until the run's stream shows a matching event (from the start of its log). */
    RunEvent awaitEvent(UUID runId, Predicate<RunEvent> match) throws InterruptedException {
        try (Subscription sub = switchboard.subscribe(runId, -1)) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && !sub.isFinished()) {
                Optional<SequencedEvent> next = sub.next(Duration.ofNanos(deadline - System.nanoTime()));
                if (next.isPresent() && match.test(next.get().event())) {
                    return next.get().event();
                }
            }
        }
        throw new AssertionError("run " + runId + " never showed the expected event");
    }

    /** Waits until the run's operation reported at least {@code percent}. */
    void awaitProgress(Run run, int percent) throws InterruptedException {
        awaitEvent(run.runId(), e -> e instanceof RunEvent.OperationUpdate u
                && u.operation().path("percent").asInt() >= percent);
    }

    Optional<Run> awaitEnd(Run run) throws Exception {
        return switchboard.await(run.runId(), WAIT);
    }

    ConversationState state(UUID thread) {
        return switchboard.state(thread, null).map(c -> ConversationState.fromJson(c.values()))
                .orElse(ConversationState.EMPTY);
    }

    List<Message> messages(UUID thread) {
        return state(thread).messages();
    }

    String lastAnswer(UUID thread) {
        return messages(thread).getLast().content();
    }

    List<String> violations(UUID thread) {
        return History.violations(messages(thread));
    }

    Operation onlyOperation(UUID thread) {
        List<Operation> ops = switchboard.operations(thread);
        if (ops.size() != 1) {
            throw new AssertionError("expected one operation, got " + ops);
        }
        return ops.getFirst();
    }

    /** Lets the gated operation run to its end. */
    void release() {
        gate.release(1000);
    }

    @Override
    public void close() {
        release();
        switchboard.close();
    }
}

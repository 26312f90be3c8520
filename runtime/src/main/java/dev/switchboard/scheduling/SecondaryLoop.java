package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.switchboard.scheduling.LoopSteps.*;

/**
 * A secondary-lane run: quick tools plus {@code check_status} and {@code cancel_operation}; any other tool gets
 * an error result and never executes. It sees the main lane's history with an operation in flight shown as "in
 * progress", plus the interim exchange so far. Its exchange goes to {@code interim_messages} and to the store
 * key {@code secondary_interim_messages} in one step; an aborted run keeps only its question, which the
 * synthesis then answers, and a rolled-back one keeps nothing.
 */
final class SecondaryLoop {
    private final RunCheckpoints checkpoints;
    private final OperationTools operationTools;
    private final Lanes lanes;
    private final int maxHistory;

    private final StepLimits limits;

    SecondaryLoop(RunCheckpoints checkpoints, OperationTools operationTools, Lanes lanes, int maxHistory,
            StepLimits limits) {
        this.limits = limits;
        this.checkpoints = checkpoints;
        this.operationTools = operationTools;
        this.lanes = lanes;
        this.maxHistory = maxHistory;
    }

    // ---- secondary lane ----------------------------------------------------------------------------------

    void executeSecondary(Run run, AgentGraph graph, EventLog log,
            java.util.function.Supplier<CancelAction> cancelAction) throws Exception {
        ObjectNode configurable = configurable(run, graph);
        List<String> namespace = namespace(run);
        log.publish(new RunEvent.Metadata(run.runId(), run.threadId(), 1));
        Lanes.Conversation conversation = lanes.conversation(namespace);
        // The scheduler marked this run as the lane's processing run when it claimed it (Lanes, state machine).
        boolean aborted = false;
        List<Message> question = new ArrayList<>();
        for (Message m : inputMessages(run.input())) {
            question.add(onSecondaryLane(m));
        }
        try {
            ConversationState state = checkpoints.latestState(run.threadId());
            for (Message m : question) {
                log.publish(new RunEvent.MessageComplete(MessageJson.toJson(m), nodeMetadata(run, graph, "__start__", -1)));
            }
            List<Tool> tools = new ArrayList<>(graph.quickTools());
            tools.add(operationTools.checkStatus());
            tools.add(operationTools.cancelOperation());
            List<ToolSpec> specs = tools.stream().map(Tool::spec).toList();
            Set<String> allowed = new HashSet<>();
            specs.forEach(s -> allowed.add(s.name()));
            List<Message> exchange = new ArrayList<>(question);
            List<Message> context = new ArrayList<>(inFlightAsRunning(state.messages()));
            context.addAll(lanes.interim(namespace));
            int limit = run.recursionLimit();
            ChatModel model = graph.secondaryModel().apply(configurable);
            for (int step = 0; ; step++) {
                checkCancelled();
                if (step >= limit) {
                    throw new RecursionLimitException(limit);
                }
                List<Message> prompt = new ArrayList<>();
                if (!graph.secondarySystemPrompt().isBlank()) {
                    prompt.add(SystemMessage.of(graph.secondarySystemPrompt()));
                }
                List<Message> history = new ArrayList<>(context);
                history.addAll(exchange);
                prompt.addAll(History.forModel(history, maxHistory));
                AiMessage ai = onSecondaryLane(callModel(run, graph, log, model, prompt, specs, configurable,
                        ModelRequest.Purpose.SECONDARY, step, null, limits));
                exchange.add(ai);
                log.publish(new RunEvent.MessageComplete(MessageJson.toJson(ai), nodeMetadata(run, graph, RunCheckpoints.AGENT_NODE, step)));
                if (!ai.hasToolCalls()) {
                    break;
                }
                for (ToolCall call : ai.toolCalls()) {
                    Message result;
                    if (allowed.contains(call.name())) {
                        Tool tool = tools.stream().filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow();
                        result = callTool(run, tool, call, log, configurable, namespace, Lane.SECONDARY, limits);
                        if (call.name().equals(OperationTools.CHECK_STATUS) && result instanceof ToolMessage status) {
                            result = withPendingApproval(run, status);
                        }
                    } else {
                        LaneLog.step("secondary-tool-refused", "run", run.runId(), "tool", call.name());
                        result = ToolMessage.error(call.id(), call.name(), "Error: '" + call.name()
                                + "' cannot run while another operation is in progress. It can be done after the "
                                + "current operation finishes; nothing was changed.");
                    }
                    exchange.add(onSecondaryLane(result));
                    log.publish(new RunEvent.MessageComplete(MessageJson.toJson(result), nodeMetadata(run, graph, RunCheckpoints.TOOLS_NODE, step)));
                }
                checkCancelled();
            }
            commitSecondary(run, conversation, namespace, exchange, log);
        } catch (InterruptedException e) {
            aborted = true;
            // Its unfinished answer is dropped; the question stays so the synthesis can answer it, unless the run
            // is rolled back: then it never happened (a successor that carries it over asks it again).
            if (cancelAction.get() != CancelAction.ROLLBACK) {
                commitSecondary(run, conversation, namespace, question, log);
            }
            throw e;
        } finally {
            lanes.endSecondary(conversation, run, aborted);
        }
    }

    void commitSecondary(Run run, Lanes.Conversation conversation, List<String> namespace,
            List<Message> exchange, EventLog log) {
        if (exchange.isEmpty()) {
            return;
        }
        boolean sameThread = namespace.equals(CoordinationKeys.defaultNamespace(run.threadId()))
                || run.threadId().equals(conversation.mainThreadId);
        lanes.appendInterim(conversation, exchange, () -> {
            ConversationState next = checkpoints.secondaryStep(run, sameThread, exchange);
            if (!log.isClosed()) {
                log.publish(new RunEvent.Values(next.toJson()));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <M extends Message> M onSecondaryLane(M message) {
        return (M) message.withAdditionalKwarg("lane", TextNode.valueOf(Lane.SECONDARY.wireName()));
    }

    /** The secondary lane's view: an operation still running is a call whose result is "in progress". */
    List<Message> inFlightAsRunning(List<Message> messages) {
        List<Message> view = new ArrayList<>(messages);
        if (view.isEmpty() || !(view.getLast() instanceof AiMessage last) || !last.hasToolCalls()) {
            return History.sanitize(view);
        }
        for (ToolCall call : last.toolCalls()) {
            view.add(ToolMessage.success(call.id(), call.name(),
                    "In progress in the background; call check_status for its progress."));
        }
        return History.sanitize(view);
    }

    /**
     * A status answer while the thread waits for the customer's approval says so: the secondary lane never pauses,
     * but it must not report "nothing pending" while a decision is.
     */
    private ToolMessage withPendingApproval(Run run, ToolMessage status) {
        return checkpoints.latest(run.threadId()).flatMap(dev.switchboard.checkpoint.Checkpoint::pause)
                .filter(p -> p.kind() == dev.switchboard.checkpoint.Pause.Kind.APPROVAL)
                .map(p -> new ToolMessage(status.id(), status.content() + "\nWaiting for your approval of: "
                        + Pauses.requestText(p), status.toolCallId(), status.name(), status.status(),
                        status.additionalKwargs()))
                .orElse(status);
    }
}

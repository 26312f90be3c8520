package dev.switchboard.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Pause;
import dev.switchboard.event.EventLog;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.run.Lane;
import dev.switchboard.run.Run;
import dev.switchboard.tool.Decision;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The main lane's {@code tools} node: runs the calls of the model's last message, or pauses. Before any call
 * runs, the calls that need approval and have no decision pause the run (one request for all of them, as
 * LangChain's middleware asks). With decisions, an approved call runs, an edited one runs with the person's
 * arguments (and the model's message is rewritten to show them), a rejected or answered one gets a result saying
 * so. A quick tool may pause the run itself ({@link ToolContext#interrupt}); the results of the calls before it
 * are kept with the pause, so on resume only the paused call runs again. A long-running tool becomes an operation
 * and is awaited with the secondary lane open (OperationStep).
 */
final class ToolsNode {
    private final OperationStep operationStep;
    private final OperationTools operationTools;

    private final StepLimits limits;

    ToolsNode(OperationStep operationStep, OperationTools operationTools, StepLimits limits) {
        this.limits = limits;
        this.operationStep = operationStep;
        this.operationTools = operationTools;
    }

    /** What the node did: the messages it wrote and the operations that ended, or a pause. */
    sealed interface Outcome {
    }

    record Done(List<Message> written, List<Operation> ended) implements Outcome {
    }

    record Paused(Pause pause) implements Outcome {
    }

    Outcome run(Run run, AgentGraph graph, EventLog log, ObjectNode configurable, List<String> namespace, AiMessage ai,
            Pauses.Resumption resumption) throws Exception {
        List<ToolCall> waiting = Pauses.awaitingApproval(ai, graph, configurable, resumption);
        if (!waiting.isEmpty()) {
            return new Paused(Pauses.approvalPause(waiting, graph, configurable,
                    call -> LoopSteps.context(run, call, configurable, namespace, log)));
        }
        List<Message> results = new ArrayList<>();
        List<Operation> ended = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        boolean edited = false;
        for (ToolCall asked : ai.toolCalls()) {
            ToolMessage done = resumption.completed().get(asked.id());
            if (done != null) {
                calls.add(asked);
                results.add(done);
                continue;
            }
            Decision decision = resumption.decisions().get(asked.id());
            ToolCall call = asked;
            if (decision instanceof Decision.Edit edit) {
                call = new ToolCall(asked.id(), edit.name(), edit.args());
                edited = true;
            }
            calls.add(call);
            switch (decision) {
                case Decision.Reject reject -> {
                    results.add(ToolMessage.error(call.id(), call.name(), reject.message() != null && !reject.message().isBlank()
                            ? reject.message() : "User rejected the tool call for `" + call.name() + "` with id " + call.id()));
                    continue;
                }
                case Decision.Respond respond -> {
                    results.add(ToolMessage.success(call.id(), call.name(), respond.message()));
                    continue;
                }
                case null, default -> {
                }
            }
            Tool tool = graph.tool(call.name()).orElse(null);
            Optional<Operation> busy = tool == null || tool.spec().kind() != ToolKind.LONG_RUNNING ? Optional.empty()
                    : operationStep.alreadyInFlight(run, call);
            if (busy.isPresent()) {
                // No model can start the same side effect twice: one operation per tool and thread at a time.
                ObjectNode status = operationTools.describe(busy.get());
                status.put("note", "not started again: this is already in progress on this conversation; "
                        + "its outcome will be reported when it ends");
                results.add(ToolMessage.error(call.id(), call.name(), Json.write(status)));
            } else if (tool != null && tool.spec().kind() == ToolKind.LONG_RUNNING) {
                Operation op = operationStep.awaitOperation(run, log, configurable, namespace, call, tool);
                ended.add(op);
                results.add(operationStep.outcomeMessage(call, op));
            } else {
                List<JsonNode> resumed = resumption.resumedFor(call.id());
                try {
                    results.add(LoopSteps.callTool(run, tool, call, log, configurable, namespace, Lane.MAIN, resumed, limits));
                } catch (ToolContext.PauseRequested pause) {
                    return new Paused(Pauses.toolPause(call, pause.value(), resumed, results));
                }
            }
        }
        List<Message> written = new ArrayList<>();
        if (edited) {
            // The person's edit replaces the model's call in the history (same message id), as LangChain's does.
            written.add(new AiMessage(ai.id(), ai.content(), calls, ai.additionalKwargs()));
        }
        written.addAll(results);
        return new Done(written, ended);
    }
}

package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.Pause;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.model.ApprovalReply;
import dev.switchboard.tool.Decision;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.SynthesisBrief;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import static dev.switchboard.scheduling.LoopSteps.*;

/**
 * The ReAct loop one run executes: input → model → tools → model … until the model answers without tool
 * calls. Each node's result is a checkpoint (its step, its run id, its parent) followed by its events, so a
 * cancel between steps keeps exactly the completed steps. Cancellation is the interruption of the run's
 * thread; the loop checks for it between steps and every blocking call inside a step honours it.
 *
 * <p>Three kinds of run share the loop:
 * <ul>
 *   <li><b>main</b>: every tool. A long-running tool becomes an operation on its own virtual thread; the run
 *       awaits it with the secondary lane open, then closes the lane, appends the tool result and the interim
 *       exchange to {@code messages}, and its next model call is the synthesis.</li>
 *   <li><b>secondary</b>: quick tools plus {@code check_status} and {@code cancel_operation}; any other tool
 *       gets an error result and never executes. Its exchange goes to {@code interim_messages} and to the
 *       store key {@code secondary_interim_messages}, in one step; an aborted secondary run keeps only its
 *       question, which the synthesis then answers.</li>
 *   <li><b>report</b> (input {@code operation_report}): an operation whose run stopped awaiting it (interrupt or
 *       rollback) has ended; the report run writes a {@code check_status} call with the outcome as its
 *       result, the interim exchange, and a synthesis answer. So an operation is never silently abandoned.</li>
 * </ul>
 *
 * <p>Why it is a little over 400 lines: the main lane is one state machine over the loop's nodes (where a run
 * starts — new input, an answer to a pause, a resume — then agent and tools until it answers or pauses), kept in
 * one method so its transitions read in one place; the tools node, the pause rules and the secondary lane are
 * classes of their own.
 */
final class AgentLoop {
    static final String AGENT_NODE = RunCheckpoints.AGENT_NODE;

    static final String TOOLS_NODE = RunCheckpoints.TOOLS_NODE;

    static final String OPERATION_REPORT = Run.REPORT_KEY;


    private final RunCheckpoints checkpoints;

    private final OperationStore operations;

    private final OperationRunner runner;

    private final OperationTools operationTools;

    private final Lanes lanes;

    private final Clock clock;

    private final int maxHistory;

    private final Duration secondaryWait;

    private final Coordination scheduler;
    private final OperationStep operationStep;
    private final SecondaryLoop secondaryLoop;
    private final ToolsNode toolsNode;
    private final StepLimits limits;

    AgentLoop(RunCheckpoints checkpoints, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, Lanes lanes, Clock clock, int maxHistory, Duration secondaryWait,
            Coordination scheduler, StepLimits limits) {
        this.limits = limits;
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.runner = runner;
        this.operationTools = operationTools;
        this.lanes = lanes;
        this.clock = clock;
        this.maxHistory = maxHistory;
        this.secondaryWait = secondaryWait;
        this.scheduler = scheduler;
        this.operationStep = new OperationStep(operations, runner, operationTools, lanes, clock, secondaryWait, scheduler);
        this.secondaryLoop = new SecondaryLoop(checkpoints, operationTools, lanes, maxHistory, limits);
        this.toolsNode = new ToolsNode(operationStep, operationTools, limits);
    }


    /** Operations that ended during this run and the exchange its synthesis must cover. */
    private record Synthesis(List<Operation> operations, List<Message> interim) {
    }

    /**
     * Executes {@code run}. {@code cancelAction} tells, once the run is interrupted, what its canceller asked
     * for (null: not cancelled, or stopped for another reason).
     */
    void execute(Run run, AgentGraph graph, EventLog log, java.util.function.Supplier<CancelAction> cancelAction)
            throws Exception {
        // The assistant's (or run's) system prompt and tool subset: every step below sees only this shape.
        graph = dev.switchboard.agent.RunProfile.of(run.configurable(), graph).shape(graph);
        if (run.lane() == Lane.SECONDARY) {
            secondaryLoop.executeSecondary(run, graph, log, cancelAction);
        } else {
            executeMain(run, graph, log);
        }
    }

    // ---- main lane ---------------------------------------------------------------------------------------

    private void executeMain(Run run, AgentGraph graph, EventLog log) throws Exception {
        ObjectNode configurable = configurable(run, graph);
        List<String> namespace = namespace(run);
        log.publish(new RunEvent.Metadata(run.runId(), run.threadId(), 1));

        JsonNode input = run.input();
        List<Message> inputMessages = inputMessages(input);
        Optional<Command> command = run.command();
        Optional<Checkpoint> latest = run.startCheckpoint() == null ? checkpoints.latest(run.threadId()) : Optional.empty();
        Optional<Pause> pending = latest.flatMap(Checkpoint::pause);
        if (run.reportsOperation() != null && pending.isPresent()) {
            // The thread waits for a person: a report now would follow the calls awaiting the decision and leave
            // them unanswered. It waits, unreported; the run that answers the pause proposes it again.
            LaneLog.step("report-deferred", "run", run.runId(), "operation", run.reportsOperation());
            return;
        }
        Breakpoints breakpoints = run.breakpoints();
        int step = -1;
        ConversationState state;
        UUID parent;
        String node = AGENT_NODE;
        Pauses.Resumption resumption = Pauses.Resumption.NONE;
        // A resumed run continues at its pause's node without pausing before it again (LangGraph does the same).
        boolean resumedHere = false;
        if (command.isPresent() || (pending.isPresent() && input.isNull() && run.reportsOperation() == null)) {
            Checkpoint at = latest.filter(c -> c.pause().isPresent())
                    .orElseThrow(() -> new ResumeOvertakenException(run.threadId()));
            Pause pause = at.pause().orElseThrow();
            state = ConversationState.fromJson(at.values());
            parent = at.checkpointId();
            step = at.step();
            log.publish(new RunEvent.Values(state.toJson()));
            Command c = command.orElse(null);
            if (c != null && c.update() != null) {
                state = Pauses.applyUpdate(state, c.update());
                RunCheckpoints.Written w = checkpoints.pauseAt(run, parent, step, state, Checkpoint.Source.UPDATE, pause,
                        Pauses.updateWrites(c.update()));
                parent = w.id();
                state = w.state();
                log.publish(new RunEvent.Values(state.toJson()));
            }
            node = c != null && c.goTo() != null ? c.goTo() : pause.node();
            if (node.equals(AGENT_NODE) && Pauses.pendingCalls(state).isPresent()) {
                state = state.withMessages(dev.switchboard.message.History.closeDanglingToolCalls(state.messages(),
                        "Not run: the run was resumed at the agent instead (command goto)."));
            }
            resumption = Pauses.resumption(pause, command);
            resumedHere = true;
        } else {
            ObjectNode startWrites = Json.object();
            startWrites.set("__start__", input.deepCopy());
            // A new message on a paused thread answers it (Pauses, the spoken-approval rule).
            ApprovalReply reply = ApprovalReply.OTHER;
            Optional<HumanMessage> said = Pauses.reply(inputMessages);
            if (pending.isPresent() && pending.get().kind() == Pause.Kind.APPROVAL && said.isPresent()) {
                reply = graph.model().apply(configurable).approvalReply(Pauses.requestText(pending.get()), said.get().content());
                LaneLog.step("spoken-approval", "run", run.runId(), "reply", reply.name());
            }
            ApprovalReply understood = reply;
            java.util.Map<String, Decision> approved = new java.util.HashMap<>();
            RunCheckpoints.Written start = checkpoints.input(run, run.startCheckpoint(), (base, pause) -> {
                ConversationState s0 = base;
                if (!inputMessages.isEmpty() && interimReset(input)) {
                    s0 = s0.withInterimMessages(List.of());
                }
                if (pause.isPresent() && !inputMessages.isEmpty()) {
                    List<Message> out = new ArrayList<>();
                    approved.putAll(Pauses.answerPending(s0.messages(), pause.get(), understood, inputMessages, out));
                    s0 = s0.withMessages(out);
                } else {
                    s0 = s0.addMessages(inputMessages);
                }
                return s0.withExtra(otherInputKeys(input));
            }, startWrites);
            state = start.state();
            parent = start.id();
            for (Message m : inputMessages) {
                log.publish(new RunEvent.MessageComplete(MessageJson.toJson(m), nodeMetadata(run, graph, "__start__", step)));
            }
            log.publish(new RunEvent.Values(state.toJson()));
            if (!approved.isEmpty()) {
                resumption = new Pauses.Resumption(approved, null, List.of(), java.util.Map.of());
            }
            if (Pauses.pendingCalls(state).isPresent()) {
                node = TOOLS_NODE;
            }
        }

        Synthesis synthesis = null;
        UUID reportOf = reportedOperation(run);
        if (reportOf != null) {
            Optional<Operation> op = operations.get(reportOf);
            if (op.isEmpty() || op.get().reported()) {
                return;
            }
            // Secondary runs still answering finish (or are aborted) before the interim exchange is read.
            Optional<UUID[]> processing = lanes.closeForReport(namespace, run.runId(), secondaryWait);
            if (processing.isPresent()) {
                scheduler.abortSecondary(processing.get()[0], processing.get()[1]);
            }
            scheduler.foldPendingSecondary(run.threadId(), lanes.conversation(namespace));
            List<Message> interim = lanes.interim(namespace);
            if (OperationReports.outcomeWritten(state.messages(), op.get())) {
                // An earlier report run wrote the outcome and then failed: only the answer is missing.
                synthesis = new Synthesis(List.of(op.get()), interim);
            } else {
            step++;
            // One call id per report run: a retried report must not answer a call an earlier attempt left closed.
            ToolCall call = new ToolCall("report_" + run.runId().toString().replace("-", ""), OperationTools.CHECK_STATUS,
                    reportArgs(reportOf));
            AiMessage ask = AiMessage.ofToolCalls("", List.of(call));
            state = state.addMessages(List.of(ask));
            RunCheckpoints.Written w = checkpoints.mainStep(run, parent, step, state, List.of(TOOLS_NODE), nodeWrites(AGENT_NODE, List.of(ask)));
            parent = w.id();
            state = w.state();
            publishStep(log, run, graph, AGENT_NODE, step, List.of(ask), state);
            step++;
            ToolMessage outcome = operationStep.outcomeMessage(call, op.get());
            LaneLog.step("report", "run", run.runId(), "operation", reportOf, "interim_messages", interim.size());
            List<Message> written = new ArrayList<>();
            written.add(outcome);
            written.addAll(interim);
            state = state.addMessages(written);
            w = checkpoints.mainStep(run, parent, step, state, List.of(AGENT_NODE), nodeWrites(TOOLS_NODE, written));
            parent = w.id();
            state = w.state();
            publishStep(log, run, graph, TOOLS_NODE, step, written, state);
            synthesis = new Synthesis(List.of(op.get()), interim);
            }
        }

        int limit = run.recursionLimit();
        List<Tool> tools = new ArrayList<>(graph.tools());
        List<ToolSpec> toolSpecs = tools.stream().map(Tool::spec).toList();
        while (true) {
            checkCancelled();
            if (node.equals(AGENT_NODE)) {
                if (!resumedHere && breakpoints.before(AGENT_NODE)) {
                    pause(run, log, parent, step, state, Pauses.breakpoint(Pause.Kind.BEFORE, AGENT_NODE));
                    return;
                }
                resumedHere = false;
                step++;
                if (step >= limit) {
                    throw new RecursionLimitException(limit);
                }
                List<Message> prompt = new ArrayList<>();
                if (!graph.systemPrompt().isBlank()) {
                    prompt.add(SystemMessage.of(graph.systemPrompt()));
                }
                prompt.addAll(History.forModel(state.messages(), maxHistory));
                ModelRequest.Purpose purpose = ModelRequest.Purpose.ANSWER;
                if (synthesis != null) {
                    prompt.add(synthesisInstruction(graph, synthesis));
                    purpose = ModelRequest.Purpose.SYNTHESIS;
                    LaneLog.step("synthesis", "run", run.runId(), "operations", synthesis.operations().size(),
                            "interim_messages", synthesis.interim().size());
                }
                AiMessage ai = callModel(run, graph, log, graph.model().apply(configurable), prompt, toolSpecs,
                        configurable, purpose, step, synthesis == null ? null : brief(synthesis), limits);
                state = state.addMessages(List.of(ai));
                RunCheckpoints.Written written0 = checkpoints.mainStep(run, parent, step, state,
                        ai.hasToolCalls() ? List.of(TOOLS_NODE) : List.of(), nodeWrites(AGENT_NODE, List.of(ai)));
                parent = written0.id();
                state = written0.state();
                publishStep(log, run, graph, AGENT_NODE, step, List.of(ai), state);
                if (synthesis != null) {
                    for (Operation op : synthesis.operations()) {
                        operations.update(op.operationId(), o -> o.withReported(clock.instant()));
                    }
                    lanes.synthesized(namespace, run.runId());
                    synthesis = null;
                }
                if (!ai.hasToolCalls()) {
                    // A finished run has nothing to resume: interrupt_after on its last answer does not pause it
                    // (the LangGraph.js server marks such a thread interrupted with nothing next).
                    return;
                }
                if (breakpoints.after(AGENT_NODE)) {
                    pause(run, log, parent, step, state, Pauses.breakpoint(Pause.Kind.AFTER, TOOLS_NODE));
                    return;
                }
                node = TOOLS_NODE;
                continue;
            }

            if (!resumedHere && breakpoints.before(TOOLS_NODE)) {
                pause(run, log, parent, step, state, Pauses.breakpoint(Pause.Kind.BEFORE, TOOLS_NODE));
                return;
            }
            resumedHere = false;
            AiMessage ai = Pauses.pendingCalls(state).orElseThrow(() -> new IllegalStateException("no tool calls to run"));
            ToolsNode.Outcome outcome = toolsNode.run(run, graph, log, configurable, namespace, ai, resumption);
            resumption = Pauses.Resumption.NONE;
            if (outcome instanceof ToolsNode.Paused paused) {
                pause(run, log, parent, step, state, paused.pause());
                return;
            }
            ToolsNode.Done done = (ToolsNode.Done) outcome;
            checkCancelled();
            step++;
            List<Message> written = new ArrayList<>(done.written());
            if (!done.ended().isEmpty()) {
                // The interim exchange joins the conversation after the tool result, the order every vendor accepts.
                List<Message> interim = lanes.interim(namespace);
                written.addAll(interim);
                synthesis = new Synthesis(done.ended(), interim);
            }
            state = state.addMessages(written);
            RunCheckpoints.Written w2 = checkpoints.mainStep(run, parent, step, state, List.of(AGENT_NODE), nodeWrites(TOOLS_NODE, written));
            parent = w2.id();
            state = w2.state();
            publishStep(log, run, graph, TOOLS_NODE, step, written, state);
            node = AGENT_NODE;
            if (breakpoints.after(TOOLS_NODE)) {
                pause(run, log, parent, step, state, Pauses.breakpoint(Pause.Kind.AFTER, AGENT_NODE));
                return;
            }
        }
    }

    /**
     * Ends the run paused: a checkpoint that keeps the pause (the thread reads {@code interrupted}), and the
     * {@code __interrupt__} update and values LangGraph streams. The run itself ends {@code success}, as LangGraph's
     * paused runs do.
     */
    private void pause(Run run, EventLog log, UUID parent, int step, ConversationState state, Pause pause) {
        checkpoints.pauseAt(run, parent, step, state, Checkpoint.Source.LOOP, pause, Json.object());
        LaneLog.step("paused", "run", run.runId(), "kind", pause.kind().wireName(), "node", pause.node());
        log.publish(new RunEvent.Updates(Pauses.INTERRUPT, pause.interruptsJson()));
        ObjectNode values = Json.object();
        values.set(Pauses.INTERRUPT, pause.interruptsJson());
        log.publish(new RunEvent.Values(values));
    }

    private static ObjectNode reportArgs(UUID operationId) {
        ObjectNode args = Json.object();
        args.put("operation_id", operationId.toString());
        return args;
    }

    private static UUID reportedOperation(Run run) {
        return run.reportsOperation();
    }

    /**
     * The last message of a synthesis prompt, for a vendor model: which operations ended and how, pointing at the
     * tool results and the exchange above it. The user's words never enter a system-role message (they could pose
     * as instructions), nor does a result (it may quote them): both are in the conversation already.
     */
    private static SystemMessage synthesisInstruction(AgentGraph graph, Synthesis synthesis) {
        StringBuilder text = new StringBuilder(graph.synthesisPrompt()).append("\n\nOperation results:");
        for (Operation op : synthesis.operations()) {
            text.append("\n- ").append(op.toolName()).append(": ").append(op.status().wireName())
                    .append(" (the result is in the tool message above)");
        }
        if (synthesis.interim().isEmpty()) {
            text.append("\n\nNothing else was said while it ran.");
        } else {
            text.append("\n\nWhile it ran, ").append(synthesis.interim().size())
                    .append(" message(s) were exchanged; they are the latest messages of the conversation above. "
                            + "Take them into account in your answer.");
        }
        return SystemMessage.of(text.toString());
    }

    /** The same facts as data, for models that write the answer from them (ModelRequest#synthesis). */
    private static SynthesisBrief brief(Synthesis synthesis) {
        List<SynthesisBrief.Outcome> outcomes = new ArrayList<>();
        for (Operation op : synthesis.operations()) {
            outcomes.add(new SynthesisBrief.Outcome(op.operationId().toString(), op.toolName(), op.arguments(),
                    op.status().wireName(), op.outcomeText()));
        }
        return new SynthesisBrief(outcomes, synthesis.interim());
    }

    /** The seed's default: a main input clears the interim exchange unless it says otherwise. */
    private static boolean interimReset(JsonNode input) {
        JsonNode reset = input.isObject() ? input.get("interim_messages_reset") : null;
        return reset == null || reset.isNull() || reset.asBoolean(true);
    }

    /** Input keys that are state values; the lane routing keys are instructions, not state. */
    private static ObjectNode otherInputKeys(JsonNode input) {
        ObjectNode other = Json.object();
        if (input != null && input.isObject()) {
            input.fields().forEachRemaining(e -> {
                String key = e.getKey();
                if (!key.equals(ConversationState.MESSAGES) && !key.equals(ConversationState.INTERIM_MESSAGES)
                        && !key.equals("thread_type") && !key.equals("interim_messages_reset")
                        && !key.equals(OPERATION_REPORT)) {
                    other.set(key, e.getValue().deepCopy());
                }
            });
        }
        return other;
    }
}

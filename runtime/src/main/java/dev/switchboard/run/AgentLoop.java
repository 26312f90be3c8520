package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
 */
final class AgentLoop {
    static final String AGENT_NODE = RunCheckpoints.AGENT_NODE;
    static final String TOOLS_NODE = RunCheckpoints.TOOLS_NODE;
    static final String OPERATION_REPORT = Run.REPORT_KEY;

    /**
     * What the loop asks of whoever schedules runs; implemented by the scheduler, so calls go one way: the
     * scheduler starts the loop, the loop reports through this port.
     */
    interface Coordination {
        /** An operation ended with no run awaiting it: its outcome needs a report run. */
        void operationOrphaned(Operation op);

        /** Stops a secondary run that outlived the main run's wait. */
        void abortSecondary(UUID threadId, UUID runId) throws InterruptedException;

        /** Folds secondary messages still queued when the lane closes into the interim exchange. */
        void foldPendingSecondary(UUID threadId, Lanes.Conversation conversation);
    }

    private final RunCheckpoints checkpoints;
    private final OperationStore operations;
    private final OperationRunner runner;
    private final OperationTools operationTools;
    private final Lanes lanes;
    private final Clock clock;
    private final int maxHistory;
    private final Duration secondaryWait;
    private final Coordination scheduler;

    AgentLoop(RunCheckpoints checkpoints, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, Lanes lanes, Clock clock, int maxHistory, Duration secondaryWait,
            Coordination scheduler) {
        this.checkpoints = checkpoints;
        this.operations = operations;
        this.runner = runner;
        this.operationTools = operationTools;
        this.lanes = lanes;
        this.clock = clock;
        this.maxHistory = maxHistory;
        this.secondaryWait = secondaryWait;
        this.scheduler = scheduler;
    }

    /** Raised when a run takes more steps than its {@code recursion_limit}. */
    static final class RecursionLimitException extends RuntimeException {
        RecursionLimitException(int limit) {
            super("Recursion limit of " + limit + " reached without hitting a stop condition.");
        }

        String errorName() {
            return "GraphRecursionError";
        }
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
        if (run.lane() == Lane.SECONDARY) {
            executeSecondary(run, graph, log, cancelAction);
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
        int step = -1;
        ObjectNode startWrites = Json.object();
        startWrites.set("__start__", input.deepCopy());
        RunCheckpoints.Written start = checkpoints.input(run, run.startCheckpoint(), base -> {
            ConversationState s0 = base;
            if (!inputMessages.isEmpty() && interimReset(input)) {
                s0 = s0.withInterimMessages(List.of());
            }
            return s0.addMessages(inputMessages).withExtra(otherInputKeys(input));
        }, startWrites);
        ConversationState state = start.state();
        UUID parent = start.id();
        for (Message m : inputMessages) {
            log.publish(new RunEvent.MessageComplete(MessageJson.toJson(m), nodeMetadata(run, graph, "__start__", step)));
        }
        log.publish(new RunEvent.Values(state.toJson()));

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
            ToolMessage outcome = outcomeMessage(call, op.get());
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
                    configurable, purpose, step);
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
                return;
            }

            checkCancelled();
            step++;
            List<Message> results = new ArrayList<>();
            List<Operation> ended = new ArrayList<>();
            for (ToolCall call : ai.toolCalls()) {
                Tool tool = graph.tool(call.name()).orElse(null);
                Optional<Operation> busy = tool == null || tool.spec().kind() != ToolKind.LONG_RUNNING ? Optional.empty()
                        : alreadyInFlight(run, call);
                if (busy.isPresent()) {
                    // No model can start the same side effect twice: one operation per tool and thread at a time.
                    ObjectNode status = operationTools.describe(busy.get());
                    status.put("note", "not started again: this is already in progress on this conversation; "
                            + "its outcome will be reported when it ends");
                    results.add(ToolMessage.error(call.id(), call.name(), Json.write(status)));
                } else if (tool != null && tool.spec().kind() == ToolKind.LONG_RUNNING) {
                    Operation op = awaitOperation(run, log, configurable, namespace, call, tool);
                    ended.add(op);
                    results.add(outcomeMessage(call, op));
                } else {
                    results.add(callTool(run, tool, call, log, configurable, namespace, Lane.MAIN));
                }
            }
            checkCancelled();
            List<Message> written = new ArrayList<>(results);
            if (!ended.isEmpty()) {
                // The interim exchange joins the conversation after the tool result, the order every vendor accepts.
                List<Message> interim = lanes.interim(namespace);
                written.addAll(interim);
                synthesis = new Synthesis(ended, interim);
            }
            state = state.addMessages(written);
            RunCheckpoints.Written w2 = checkpoints.mainStep(run, parent, step, state, List.of(AGENT_NODE), nodeWrites(TOOLS_NODE, written));
            parent = w2.id();
            state = w2.state();
            publishStep(log, run, graph, TOOLS_NODE, step, written, state);
        }
    }

    /**
     * Starts (or resumes, by idempotency key) the operation for {@code call}, awaits its end with the
     * secondary lane open, then closes the lane. If this run is cancelled meanwhile the operation goes on and
     * the lane closes; the operation's end is then reported by a report run.
     */
    private Operation awaitOperation(Run run, EventLog log, ObjectNode configurable, List<String> namespace,
            ToolCall call, Tool tool) throws InterruptedException {
        String key = Operation.idempotencyKey(run.threadId(), run.runId(), call.id());
        var now = clock.instant();
        Operation op = operations.byIdempotencyKey(key).orElseGet(() -> operations.create(new Operation(Ids.newId(),
                run.threadId(), run.runId(), call.id(), call.name(), call.args(), key, namespace,
                OperationStatus.RUNNING, 0, "started", null, null, false, false, null, null, now, now,
                userOf(configurable))));
        Lanes.Conversation conversation = lanes.open(namespace, run.threadId(), run.runId(), op.operationId());
        publishOperation(log, "operation_started", op);
        CompletableFuture<Operation> done = op.status().isTerminal() ? CompletableFuture.completedFuture(op)
                : runner.start(op, tool, configurable, new OperationRunner.Listener() {
                    @Override
                    public void progress(Operation progressed) {
                        publishOperation(log, "operation_progress", progressed);
                    }

                    @Override
                    public void ended(Operation finished) {
                        publishOperation(log, "operation_ended", finished);
                        if (!lanes.isAwaiting(conversation, finished.operationId())) {
                            scheduler.operationOrphaned(finished);
                        }
                    }
                });
        Operation ended;
        try {
            ended = done.get();
        } catch (InterruptedException e) {
            if (lanes.abandon(conversation, run.runId())) {
                operations.get(op.operationId())
                        .filter(o -> o.status().isTerminal() && !o.reported())
                        .ifPresent(scheduler::operationOrphaned);
            }
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("operation futures never fail", e.getCause());
        }
        if (!ended.status().isTerminal()) {
            // This instance lost the operation's lease: another instance executes it now and reports its end.
            lanes.abandon(conversation, run.runId());
            throw new LeaseLost("operation " + op.operationId() + " is executed by another instance now");
        }
        Optional<UUID[]> processing = lanes.close(conversation, run.runId(), secondaryWait);
        if (processing.isPresent()) {
            scheduler.abortSecondary(processing.get()[0], processing.get()[1]);
        }
        scheduler.foldPendingSecondary(run.threadId(), conversation);
        return ended;
    }

    private void publishOperation(EventLog log, String type, Operation op) {
        ObjectNode event = operationTools.describe(op);
        event.put("type", type);
        if (!log.isClosed()) {
            try {
                log.publish(new RunEvent.Custom(event));
            } catch (IllegalStateException closedMeanwhile) {
                // the run ended (cancelled) between the check and the publish; the operation goes on
            }
        }
    }

    private ToolMessage outcomeMessage(ToolCall call, Operation op) {
        String content = Json.write(operationTools.describe(op));
        return op.status() == OperationStatus.SUCCEEDED ? ToolMessage.success(call.id(), call.name(), content)
                : ToolMessage.error(call.id(), call.name(), content);
    }

    private static ObjectNode reportArgs(UUID operationId) {
        ObjectNode args = Json.object();
        args.put("operation_id", operationId.toString());
        return args;
    }

    private static UUID reportedOperation(Run run) {
        return run.reportsOperation();
    }

    /** A long-running call whose tool already has an operation in flight on this thread (from an earlier run). */
    private Optional<Operation> alreadyInFlight(Run run, ToolCall call) {
        String key = Operation.idempotencyKey(run.threadId(), run.runId(), call.id());
        return operations.listByThread(run.threadId()).stream()
                .filter(op -> !op.status().isTerminal() && op.toolName().equals(call.name())
                        && !op.idempotencyKey().equals(key))
                .findFirst();
    }

    /** The last message of a synthesis prompt: the outcome of each operation and what was said meanwhile. */
    private static SystemMessage synthesisInstruction(AgentGraph graph, Synthesis synthesis) {
        StringBuilder text = new StringBuilder(graph.synthesisPrompt()).append("\n\nOperation results:");
        ObjectNode structured = Json.object();
        ArrayNode ops = structured.putArray("operations");
        for (Operation op : synthesis.operations()) {
            // Only the tool's name and status: its result or error may quote what the user said (a refusal naming
            // the package asked for), so it stays in the tool message above, where the model reads it as data.
            text.append("\n- ").append(op.toolName()).append(": ").append(op.status().wireName())
                    .append(" (the result is in the tool message above)");
            ObjectNode o = ops.addObject();
            o.put("operation_id", op.operationId().toString());
            o.put("tool", op.toolName());
            o.set("arguments", op.arguments());
            o.put("status", op.status().wireName());
            o.put("outcome", op.outcomeText());
        }
        if (synthesis.interim().isEmpty()) {
            text.append("\n\nNothing else was said while it ran.");
        } else {
            // The user's words never enter a system-role message (they could pose as instructions): the interim
            // exchange is already in the conversation, after the tool result, in its own user and AI messages.
            text.append("\n\nWhile it ran, ").append(synthesis.interim().size())
                    .append(" message(s) were exchanged; they are the latest messages of the conversation above. "
                            + "Take them into account in your answer.");
        }
        structured.set("interim_messages", MessageJson.toJson(synthesis.interim()));
        return SystemMessage.of(text.toString()).withAdditionalKwarg("switchboard_synthesis", structured);
    }

    // ---- secondary lane ----------------------------------------------------------------------------------

    private void executeSecondary(Run run, AgentGraph graph, EventLog log,
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
                        ModelRequest.Purpose.SECONDARY, step));
                exchange.add(ai);
                log.publish(new RunEvent.MessageComplete(MessageJson.toJson(ai), nodeMetadata(run, graph, AGENT_NODE, step)));
                if (!ai.hasToolCalls()) {
                    break;
                }
                for (ToolCall call : ai.toolCalls()) {
                    Message result;
                    if (allowed.contains(call.name())) {
                        Tool tool = tools.stream().filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow();
                        result = callTool(run, tool, call, log, configurable, namespace, Lane.SECONDARY);
                    } else {
                        LaneLog.step("secondary-tool-refused", "run", run.runId(), "tool", call.name());
                        result = ToolMessage.error(call.id(), call.name(), "Error: '" + call.name()
                                + "' cannot run while another operation is in progress. It can be done after the "
                                + "current operation finishes; nothing was changed.");
                    }
                    exchange.add(onSecondaryLane(result));
                    log.publish(new RunEvent.MessageComplete(MessageJson.toJson(result), nodeMetadata(run, graph, TOOLS_NODE, step)));
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

    private void commitSecondary(Run run, Lanes.Conversation conversation, List<String> namespace,
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
    private List<Message> inFlightAsRunning(List<Message> messages) {
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

    // ---- shared ------------------------------------------------------------------------------------------

    private AiMessage callModel(Run run, AgentGraph graph, EventLog log, ChatModel model, List<Message> prompt,
            List<ToolSpec> specs, ObjectNode configurable, ModelRequest.Purpose purpose, int step)
            throws InterruptedException {
        String aiId = "run-" + Ids.newId();
        ObjectNode meta = nodeMetadata(run, graph, AGENT_NODE, step);
        AiMessage raw = model.chat(new ModelRequest(prompt, specs, configurable, purpose),
                token -> log.publish(new RunEvent.MessageChunk(MessageJson.chunkJson(aiId, token, List.of()), meta)));
        AiMessage ai = new AiMessage(aiId, raw.content(), raw.toolCalls(), raw.additionalKwargs());
        if (ai.hasToolCalls()) {
            log.publish(new RunEvent.MessageChunk(MessageJson.chunkJson(aiId, "", ai.toolCalls()), meta));
        }
        return ai;
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AgentLoop.class.getName());

    private ToolMessage callTool(Run run, Tool tool, ToolCall call, EventLog log, ObjectNode configurable,
            List<String> namespace, Lane lane) throws InterruptedException {
        if (tool == null) {
            return ToolMessage.error(call.id(), call.name(), "Error: there is no tool named '" + call.name() + "'.");
        }
        ToolContext context = new InlineToolContext(run, call, configurable, namespace, log);
        try {
            String result = tool.call(call.args(), context);
            return ToolMessage.success(call.id(), call.name(), result == null ? "" : result);
        } catch (InterruptedException e) {
            throw e;
        } catch (ToolException e) {
            return ToolMessage.error(call.id(), call.name(), "Error: " + e.getMessage());
        } catch (Exception e) {
            if (java.lang.Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("run cancelled while " + call.name() + " ran");
            }
            // The thread's state is the client's to read: the exception's text (SQL, paths, data) stays in the log.
            LOG.log(java.util.logging.Level.WARNING, "tool " + call.name() + " failed in run " + run.runId(), e);
            return ToolMessage.error(call.id(), call.name(), "Error: the tool failed unexpectedly ("
                    + e.getClass().getSimpleName() + "); the server log has the details.");
        }
    }

    private void publishStep(EventLog log, Run run, AgentGraph graph, String node, int step,
            List<? extends Message> written, ConversationState state) {
        ObjectNode meta = nodeMetadata(run, graph, node, step);
        for (Message m : written) {
            log.publish(new RunEvent.MessageComplete(MessageJson.toJson(m), meta));
        }
        ObjectNode update = Json.object();
        update.set(ConversationState.MESSAGES, MessageJson.toJson(written));
        log.publish(new RunEvent.Updates(node, update));
        log.publish(new RunEvent.Values(state.toJson()));
    }

    private static ObjectNode nodeWrites(String node, List<? extends Message> messages) {
        return RunCheckpoints.writes(node, messages);
    }

    static List<Message> inputMessages(JsonNode input) {
        if (input == null || input.isNull() || input.isMissingNode()) {
            return List.of();
        }
        if (input.isObject()) {
            JsonNode messages = input.get(ConversationState.MESSAGES);
            return messages == null || messages.isNull() ? List.of() : MessageJson.fromJsonList(messages);
        }
        return MessageJson.fromJsonList(input);
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

    static ObjectNode configurable(Run run, AgentGraph graph) {
        ObjectNode configurable = run.configurable();
        configurable.put("thread_id", run.threadId().toString());
        configurable.put("run_id", run.runId().toString());
        configurable.put("assistant_id", run.assistantId().toString());
        configurable.put("graph_id", graph.graphId());
        return configurable;
    }

    /** The user the run acts for, as the server put it in {@code configurable.user_id}; null when none. */
    static String userOf(ObjectNode configurable) {
        JsonNode user = configurable.get(Operation.USER_KEY);
        return user != null && user.isTextual() && !user.asText().isBlank() ? user.asText() : null;
    }

    /** {@code config.configurable.namespace_for_memory}, or the thread's default coordination namespace. */
    static List<String> namespace(Run run) {
        return run.coordinationNamespace();
    }

    private static ObjectNode nodeMetadata(Run run, AgentGraph graph, String node, int step) {
        ObjectNode meta = Json.object();
        meta.put("run_id", run.runId().toString());
        meta.put("thread_id", run.threadId().toString());
        meta.put("assistant_id", run.assistantId().toString());
        meta.put("graph_id", graph.graphId());
        meta.put("langgraph_node", node);
        meta.put("langgraph_step", step);
        meta.putArray("langgraph_triggers").add("branch:to:" + node);
        meta.putArray("langgraph_path").add("__pregel_pull").add(node);
        meta.put("langgraph_checkpoint_ns", node);
        meta.put("checkpoint_ns", node);
        meta.put("lane", run.lane().wireName());
        return meta;
    }

    static void checkCancelled() throws InterruptedException {
        if (java.lang.Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("run cancelled");
        }
    }

    /** The context of a tool that runs inline on its run's thread: progress is only an event. */
    private record InlineToolContext(Run run, ToolCall call, ObjectNode configurable, List<String> namespace,
            EventLog log) implements ToolContext {
        @Override
        public UUID threadId() {
            return run.threadId();
        }

        @Override
        public UUID runId() {
            return run.runId();
        }

        @Override
        public String toolCallId() {
            return call.id();
        }

        @Override
        public ObjectNode configurable() {
            return configurable.deepCopy();
        }

        @Override
        public void emit(JsonNode payload) {
            log.publish(new RunEvent.Custom(payload.deepCopy()));
        }

        @Override
        public void progress(int percent, String message) {
            ObjectNode progress = Json.object();
            progress.put("type", "tool_progress");
            progress.put("tool", call.name());
            progress.put("tool_call_id", call.id());
            progress.put("percent", percent);
            progress.put("message", message);
            log.publish(new RunEvent.Custom(progress));
        }
    }
}

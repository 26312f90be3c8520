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
    static final String AGENT_NODE = "agent";
    static final String TOOLS_NODE = "tools";
    static final int DEFAULT_RECURSION_LIMIT = 25;
    static final String OPERATION_REPORT = "operation_report";

    private final CheckpointStore checkpoints;
    private final OperationStore operations;
    private final OperationRunner runner;
    private final OperationTools operationTools;
    private final Lanes lanes;
    private final Clock clock;
    private final int maxHistory;
    private final Duration secondaryWait;
    private final RunScheduler scheduler;

    AgentLoop(CheckpointStore checkpoints, OperationStore operations, OperationRunner runner,
            OperationTools operationTools, Lanes lanes, Clock clock, int maxHistory, Duration secondaryWait,
            RunScheduler scheduler) {
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

    void execute(Run run, AgentGraph graph, EventLog log) throws Exception {
        if (run.lane() == Lane.SECONDARY) {
            executeSecondary(run, graph, log);
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
        ConversationState state;
        UUID parent;
        int step = -1;
        java.util.concurrent.locks.Lock stateLock = scheduler.stateLock(run.threadId());
        stateLock.lock();
        try {
            Checkpoint base = baseCheckpoint(run);
            state = base == null ? ConversationState.EMPTY : ConversationState.fromJson(base.values());
            if (!inputMessages.isEmpty() && interimReset(input)) {
                state = state.withInterimMessages(List.of());
            }
            state = state.addMessages(inputMessages).withExtra(otherInputKeys(input));
            ObjectNode writes = Json.object();
            writes.set("__start__", input.deepCopy());
            parent = checkpoint(run, base == null ? null : base.checkpointId(), step, Checkpoint.Source.INPUT, state,
                    List.of(AGENT_NODE), writes);
        } finally {
            stateLock.unlock();
        }
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
            step++;
            ToolCall call = new ToolCall("report_" + reportOf.toString().replace("-", ""), OperationTools.CHECK_STATUS,
                    reportArgs(reportOf));
            AiMessage ask = AiMessage.ofToolCalls("", List.of(call));
            state = state.addMessages(List.of(ask));
            Written w = mainCheckpoint(run, parent, step, state, List.of(TOOLS_NODE), nodeWrites(AGENT_NODE, List.of(ask)));
            parent = w.id();
            state = w.state();
            publishStep(log, run, graph, AGENT_NODE, step, List.of(ask), state);
            step++;
            ToolMessage outcome = outcomeMessage(call, op.get());
            List<Message> interim = lanes.interim(namespace);
            LaneLog.step("report", "run", run.runId(), "operation", reportOf, "interim_messages", interim.size());
            List<Message> written = new ArrayList<>();
            written.add(outcome);
            written.addAll(interim);
            state = state.addMessages(written);
            w = mainCheckpoint(run, parent, step, state, List.of(AGENT_NODE), nodeWrites(TOOLS_NODE, written));
            parent = w.id();
            state = w.state();
            publishStep(log, run, graph, TOOLS_NODE, step, written, state);
            synthesis = new Synthesis(List.of(op.get()), interim);
        }

        int limit = recursionLimit(run);
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
            Written written0 = mainCheckpoint(run, parent, step, state,
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
                if (tool != null && tool.spec().kind() == ToolKind.LONG_RUNNING) {
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
            Written w2 = mainCheckpoint(run, parent, step, state, List.of(AGENT_NODE), nodeWrites(TOOLS_NODE, written));
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
        Lanes.Conversation conversation = lanes.conversation(namespace);
        lanes.open(conversation, run.threadId(), run.runId(), op.operationId());
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
                            scheduler.scheduleReport(finished);
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
                        .ifPresent(scheduler::scheduleReport);
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
            scheduler.abortSecondary(processing.get()[0], processing.get()[1], Duration.ofSeconds(10));
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
        JsonNode input = run.input();
        JsonNode id = input.isObject() ? input.get(OPERATION_REPORT) : null;
        return id == null || !id.isTextual() ? null : UUID.fromString(id.asText());
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

    private void executeSecondary(Run run, AgentGraph graph, EventLog log) throws Exception {
        ObjectNode configurable = configurable(run, graph);
        List<String> namespace = namespace(run);
        log.publish(new RunEvent.Metadata(run.runId(), run.threadId(), 1));
        Lanes.Conversation conversation = lanes.conversation(namespace);
        lanes.beginSecondary(conversation, run);
        boolean aborted = false;
        List<Message> question = new ArrayList<>();
        for (Message m : inputMessages(run.input())) {
            question.add(onSecondaryLane(m));
        }
        try {
            Checkpoint base = checkpoints.latest(run.threadId()).orElse(null);
            ConversationState state = base == null ? ConversationState.EMPTY : ConversationState.fromJson(base.values());
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
            int limit = recursionLimit(run);
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
            // Its unfinished answer is dropped; the question stays so the synthesis can answer it.
            commitSecondary(run, conversation, namespace, question, log);
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
        java.util.concurrent.locks.Lock stateLock = scheduler.stateLock(run.threadId());
        lanes.appendInterim(conversation, exchange, () -> {
          stateLock.lock();
          try {
            Checkpoint latest = checkpoints.latest(run.threadId()).orElse(null);
            ConversationState state = latest == null ? ConversationState.EMPTY : ConversationState.fromJson(latest.values());
            ConversationState next = state.withInterimMessages(History.addMessages(state.interimMessages(), exchange));
            if (!sameThread) {
                next = next.addMessages(exchange);
            }
            checkpoint(run, latest == null ? null : latest.checkpointId(), latest == null ? 0 : latest.step(),
                    Checkpoint.Source.LOOP, next, latest == null ? List.of() : latest.next(),
                    nodeWrites("secondary", exchange));
            if (!log.isClosed()) {
                log.publish(new RunEvent.Values(next.toJson()));
            }
          } finally {
            stateLock.unlock();
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

    /**
     * After an interrupt: if the thread's history ends in tool calls without results, writes one more
     * checkpoint that answers each, so the history stays valid. A call whose operation is still running is
     * answered "running in the background" (its outcome is reported when it ends); any other is "cancelled".
     */
    void closeDanglingToolCalls(Run run) {
        java.util.concurrent.locks.Lock stateLock = scheduler.stateLock(run.threadId());
        stateLock.lock();
        try {
            closeDanglingToolCallsLocked(run);
        } finally {
            stateLock.unlock();
        }
    }

    private void closeDanglingToolCallsLocked(Run run) {
        boolean wroteAny = !checkpoints.list(run.threadId(), 1, null).isEmpty()
                && checkpoints.list(run.threadId(), Integer.MAX_VALUE, null).stream()
                        .anyMatch(c -> run.runId().equals(c.runId()));
        if (!wroteAny) {
            return;
        }
        Checkpoint latest = checkpoints.latest(run.threadId()).orElseThrow();
        ConversationState state = ConversationState.fromJson(latest.values());
        List<Message> messages = state.messages();
        if (messages.isEmpty() || !(messages.getLast() instanceof AiMessage last) || !last.hasToolCalls()) {
            List<Message> closed = History.closeDanglingToolCalls(messages, "cancelled: the run was interrupted before this tool returned");
            if (closed.size() != messages.size()) {
                checkpoint(run, latest.checkpointId(), latest.step() + 1, Checkpoint.Source.LOOP,
                        state.withMessages(closed), List.of(), nodeWrites(TOOLS_NODE, closed.subList(messages.size(), closed.size())));
            }
            return;
        }
        List<Message> results = new ArrayList<>();
        for (ToolCall call : last.toolCalls()) {
            Optional<Operation> op = operations.byIdempotencyKey(
                    Operation.idempotencyKey(run.threadId(), run.runId(), call.id()));
            if (op.isPresent()) {
                ObjectNode status = operationTools.describe(op.get());
                status.put("note", op.get().status().isTerminal()
                        ? "the run that started it was interrupted; its outcome is reported next"
                        : "still running in the background; its outcome will be reported when it ends");
                results.add(ToolMessage.success(call.id(), call.name(), Json.write(status)));
            } else {
                results.add(ToolMessage.error(call.id(), call.name(),
                        "cancelled: the run was interrupted before this tool returned"));
            }
        }
        List<Message> closed = new ArrayList<>(messages);
        closed.addAll(results);
        checkpoint(run, latest.checkpointId(), latest.step() + 1, Checkpoint.Source.LOOP, state.withMessages(closed),
                List.of(), nodeWrites(TOOLS_NODE, results));
    }

    /** After a rollback of a main run: its checkpoints and those secondary runs wrote on top of them go. */
    void deleteRunCheckpoints(Run run) {
        java.util.concurrent.locks.Lock stateLock = scheduler.stateLock(run.threadId());
        stateLock.lock();
        try {
            deleteRunCheckpointsLocked(run);
        } finally {
            stateLock.unlock();
        }
    }

    private void deleteRunCheckpointsLocked(Run run) {
        List<Checkpoint> all = checkpoints.list(run.threadId(), Integer.MAX_VALUE, null);
        UUID firstOfRun = null;
        for (Checkpoint c : all) {
            if (run.runId().equals(c.runId())) {
                firstOfRun = c.checkpointId();
            }
        }
        checkpoints.deleteByRun(run.threadId(), run.runId());
        if (firstOfRun == null || run.lane() != Lane.MAIN) {
            return;
        }
        Set<UUID> derived = new HashSet<>();
        for (Checkpoint c : all) {
            if (c.checkpointId().compareTo(firstOfRun) > 0 && c.runId() != null && !c.runId().equals(run.runId())) {
                derived.add(c.runId());
            }
        }
        derived.forEach(id -> checkpoints.deleteByRun(run.threadId(), id));
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

    /** A checkpoint and the state it holds. */
    private record Written(UUID id, ConversationState state) {
    }

    /**
     * A main-lane step's checkpoint. The main lane owns {@code messages}; {@code interim_messages} belong to the
     * secondary lane, so they are taken from the thread's latest checkpoint, under the state lock.
     */
    private Written mainCheckpoint(Run run, UUID parent, int step, ConversationState state, List<String> next,
            ObjectNode writes) {
        java.util.concurrent.locks.Lock stateLock = scheduler.stateLock(run.threadId());
        stateLock.lock();
        try {
            ConversationState effective = checkpoints.latest(run.threadId())
                    .map(latest -> state.withInterimMessages(ConversationState.fromJson(latest.values()).interimMessages()))
                    .orElse(state);
            return new Written(checkpoint(run, parent, step, Checkpoint.Source.LOOP, effective, next, writes), effective);
        } finally {
            stateLock.unlock();
        }
    }

    private UUID checkpoint(Run run, UUID parent, int step, Checkpoint.Source source, ConversationState state,
            List<String> next, ObjectNode writes) {
        // A run this instance may no longer hold writes nothing more (RunScheduler's class comment).
        scheduler.checkLease(run.runId());
        ObjectNode metadata = Json.object();
        metadata.put("source", source.wireName());
        metadata.put("step", step);
        metadata.put("run_id", run.runId().toString());
        metadata.put("thread_id", run.threadId().toString());
        metadata.put("assistant_id", run.assistantId().toString());
        metadata.put("lane", run.lane().wireName());
        metadata.set("writes", writes);
        metadata.set("parents", Json.object());
        UUID id = Ids.newId();
        checkpoints.put(new Checkpoint(id, run.threadId(), parent, run.runId(), step, source, state.toJson(), next,
                metadata, clock.instant()));
        return id;
    }

    private static ObjectNode nodeWrites(String node, List<? extends Message> messages) {
        ObjectNode writes = Json.object();
        writes.putObject(node).set(ConversationState.MESSAGES, MessageJson.toJson(messages));
        return writes;
    }

    private Checkpoint baseCheckpoint(Run run) {
        JsonNode requested = run.kwargs().get("checkpoint_id");
        if (requested != null && requested.isTextual()) {
            UUID id = Ids.parse("checkpoint_id", requested.asText());
            return checkpoints.get(run.threadId(), id).orElseThrow(
                    () -> new IllegalStateException("checkpoint " + id + " of thread " + run.threadId() + " is gone"));
        }
        return checkpoints.latest(run.threadId()).orElse(null);
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

    private static int recursionLimit(Run run) {
        JsonNode config = run.kwargs().get("config");
        JsonNode limit = config == null ? null : config.get("recursion_limit");
        return limit != null && limit.canConvertToInt() && limit.asInt() > 0 ? limit.asInt() : DEFAULT_RECURSION_LIMIT;
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
        return namespaceOf(run.configurable(), run.threadId());
    }

    static List<String> namespaceOf(ObjectNode configurable, UUID threadId) {
        JsonNode ns = configurable.get("namespace_for_memory");
        if (ns != null && ns.isArray() && !ns.isEmpty()) {
            List<String> labels = new ArrayList<>();
            ns.forEach(n -> labels.add(n.asText()));
            return List.copyOf(labels);
        }
        if (ns != null && ns.isTextual() && !ns.asText().isBlank()) {
            return List.of(ns.asText().split("\\."));
        }
        return CoordinationKeys.defaultNamespace(threadId);
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

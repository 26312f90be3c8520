package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
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
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The ReAct loop one run executes: input → model → tools → model … until the model answers without tool
 * calls. Each node's result is a checkpoint (its step, its run id, its parent) followed by its events, so a
 * cancel between steps keeps exactly the completed steps. Cancellation is the interruption of the run's
 * thread; the loop checks for it between steps and every blocking call inside a step honours it.
 */
final class AgentLoop {
    static final String AGENT_NODE = "agent";
    static final String TOOLS_NODE = "tools";
    static final int DEFAULT_RECURSION_LIMIT = 25;

    private final CheckpointStore checkpoints;
    private final Clock clock;
    private final int maxHistory;

    AgentLoop(CheckpointStore checkpoints, Clock clock, int maxHistory) {
        this.checkpoints = checkpoints;
        this.clock = clock;
        this.maxHistory = maxHistory;
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

    void execute(Run run, AgentGraph graph, EventLog log) throws Exception {
        ObjectNode configurable = configurable(run, graph);
        log.publish(new RunEvent.Metadata(run.runId(), run.threadId(), 1));

        Checkpoint base = baseCheckpoint(run);
        ConversationState state = base == null ? ConversationState.EMPTY : ConversationState.fromJson(base.values());
        UUID parent = base == null ? null : base.checkpointId();

        JsonNode input = run.input();
        List<Message> inputMessages = inputMessages(input);
        state = state.addMessages(inputMessages).withExtra(otherInputKeys(input));
        ObjectNode writes = Json.object();
        writes.set("__start__", input.deepCopy());
        int step = -1;
        parent = checkpoint(run, parent, step, Checkpoint.Source.INPUT, state, List.of(AGENT_NODE), writes);
        for (Message m : inputMessages) {
            log.publish(new RunEvent.MessageComplete(MessageJson.toJson(m), nodeMetadata(run, graph, "__start__", step)));
        }
        log.publish(new RunEvent.Values(state.toJson()));

        int limit = recursionLimit(run);
        List<ToolSpec> toolSpecs = graph.tools().stream().map(Tool::spec).toList();
        while (true) {
            checkCancelled();
            step++;
            if (step >= limit) {
                throw new RecursionLimitException(limit);
            }
            String aiId = "run-" + Ids.newId();
            ObjectNode meta = nodeMetadata(run, graph, AGENT_NODE, step);
            List<Message> prompt = new ArrayList<>();
            if (!graph.systemPrompt().isBlank()) {
                prompt.add(SystemMessage.of(graph.systemPrompt()));
            }
            prompt.addAll(History.forModel(state.messages(), maxHistory));
            AiMessage raw = graph.model().apply(configurable).chat(
                    new ModelRequest(prompt, toolSpecs, configurable),
                    token -> log.publish(new RunEvent.MessageChunk(MessageJson.chunkJson(aiId, token, List.of()), meta)));
            AiMessage ai = new AiMessage(aiId, raw.content(), raw.toolCalls(), raw.additionalKwargs());
            if (ai.hasToolCalls()) {
                log.publish(new RunEvent.MessageChunk(MessageJson.chunkJson(aiId, "", ai.toolCalls()), meta));
            }
            state = state.addMessages(List.of(ai));
            parent = checkpoint(run, parent, step, Checkpoint.Source.LOOP, state,
                    ai.hasToolCalls() ? List.of(TOOLS_NODE) : List.of(), nodeWrites(AGENT_NODE, List.of(ai)));
            publishStep(log, run, graph, AGENT_NODE, step, List.of(ai), state);
            if (!ai.hasToolCalls()) {
                return;
            }

            checkCancelled();
            step++;
            List<Message> results = new ArrayList<>();
            for (ToolCall call : ai.toolCalls()) {
                results.add(callTool(run, graph, log, configurable, call));
            }
            checkCancelled();
            state = state.addMessages(results);
            parent = checkpoint(run, parent, step, Checkpoint.Source.LOOP, state, List.of(AGENT_NODE),
                    nodeWrites(TOOLS_NODE, results));
            publishStep(log, run, graph, TOOLS_NODE, step, results, state);
        }
    }

    /**
     * After an interrupt: if the run's last checkpoint ends in tool calls without results, writes one more
     * checkpoint that answers each with a {@code cancelled} tool message, so the history stays valid.
     */
    void closeDanglingToolCalls(Run run) {
        checkpoints.latest(run.threadId())
                .filter(latest -> run.runId().equals(latest.runId()))
                .ifPresent(latest -> {
                    ConversationState state = ConversationState.fromJson(latest.values());
                    List<Message> closed = History.closeDanglingToolCalls(state.messages(),
                            "cancelled: the run was interrupted before this tool returned");
                    if (closed.size() != state.messages().size()) {
                        checkpoint(run, latest.checkpointId(), latest.step() + 1, Checkpoint.Source.LOOP,
                                state.withMessages(closed), List.of(),
                                nodeWrites(TOOLS_NODE, closed.subList(state.messages().size(), closed.size())));
                    }
                });
    }

    private ToolMessage callTool(Run run, AgentGraph graph, EventLog log, ObjectNode configurable, ToolCall call)
            throws InterruptedException {
        Tool tool = graph.tool(call.name()).orElse(null);
        if (tool == null) {
            return ToolMessage.error(call.id(), call.name(), "Error: there is no tool named '" + call.name() + "'.");
        }
        ToolContext context = new InlineToolContext(run, call, configurable, log);
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
            return ToolMessage.error(call.id(), call.name(),
                    "Error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
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

    private UUID checkpoint(Run run, UUID parent, int step, Checkpoint.Source source, ConversationState state,
            List<String> next, ObjectNode writes) {
        ObjectNode metadata = Json.object();
        metadata.put("source", source.wireName());
        metadata.put("step", step);
        metadata.put("run_id", run.runId().toString());
        metadata.put("thread_id", run.threadId().toString());
        metadata.put("assistant_id", run.assistantId().toString());
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

    /** Input keys that are state values; the lane routing keys are instructions, not state. */
    private static ObjectNode otherInputKeys(JsonNode input) {
        ObjectNode other = Json.object();
        if (input != null && input.isObject()) {
            input.fields().forEachRemaining(e -> {
                String key = e.getKey();
                if (!key.equals(ConversationState.MESSAGES) && !key.equals(ConversationState.INTERIM_MESSAGES)
                        && !key.equals("thread_type") && !key.equals("interim_messages_reset")) {
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
    private record InlineToolContext(Run run, ToolCall call, ObjectNode configurable, EventLog log)
            implements ToolContext {
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

package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.Operation;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolSpec;
import java.util.List;
import java.util.UUID;

/**
 * The steps every loop takes, whichever lane: a model call streamed as token events, a quick tool call whose
 * failure becomes an error result, a step's events, the node metadata LangGraph clients read, and reading a
 * run's input, config and coordination namespace. Stateless.
 */
final class LoopSteps {
    private LoopSteps() {
    }

    // ---- shared ------------------------------------------------------------------------------------------

    static AiMessage callModel(Run run, AgentGraph graph, EventLog log, ChatModel model, List<Message> prompt,
            List<ToolSpec> specs, ObjectNode configurable, ModelRequest.Purpose purpose, int step,
            dev.switchboard.model.SynthesisBrief brief, StepLimits limits)
            throws InterruptedException {
        String aiId = "run-" + Ids.newId();
        var chunks = RunEvent.MessageChunk.sharing(nodeMetadata(run, graph, RunCheckpoints.AGENT_NODE, step));
        java.util.concurrent.atomic.AtomicLong lastSign = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        AiMessage raw;
        try {
            raw = Bounded.call(() -> model.chat(new ModelRequest(prompt, specs, configurable, purpose, brief),
                token -> {
                    lastSign.set(System.nanoTime());
                    log.publish(chunks.apply(MessageJson.chunkJson(aiId, token, List.of())));
                }), limits.modelSilence(), lastSign,
                "the model call sent nothing for " + limits.modelSilence().toMillis()
                        + " ms (SWITCHBOARD_MODEL_TIMEOUT_MS) and was stopped");
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // ChatModel#chat throws no other checked exception
        }
        AiMessage ai = new AiMessage(aiId, raw.content(), raw.toolCalls(), raw.additionalKwargs());
        if (ai.hasToolCalls()) {
            log.publish(chunks.apply(MessageJson.chunkJson(aiId, "", ai.toolCalls())));
        }
        return ai;
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LoopSteps.class.getName());

    static ToolMessage callTool(Run run, Tool tool, ToolCall call, EventLog log, ObjectNode configurable,
            List<String> namespace, Lane lane, StepLimits limits) throws InterruptedException {
        return callTool(run, tool, call, log, configurable, namespace, lane, List.of(), limits);
    }

    /**
     * Calls a quick tool inline. On the main lane the tool may pause the run ({@link ToolContext#interrupt}):
     * {@code resumed} are the values its interrupts return, in order, and one more interrupt throws
     * {@link ToolContext.PauseRequested} to the caller.
     */
    static ToolMessage callTool(Run run, Tool tool, ToolCall call, EventLog log, ObjectNode configurable,
            List<String> namespace, Lane lane, List<com.fasterxml.jackson.databind.JsonNode> resumed,
            StepLimits limits) throws InterruptedException {
        if (tool == null) {
            return ToolMessage.error(call.id(), call.name(), "Error: there is no tool named '" + call.name() + "'.");
        }
        ToolContext context = new InlineToolContext(run, call, configurable, namespace, log, lane, List.copyOf(resumed),
                new java.util.concurrent.atomic.AtomicInteger());
        try {
            String result = Bounded.call(() -> tool.call(call.args(), context), limits.quickTool(),
                    new java.util.concurrent.atomic.AtomicLong(System.nanoTime()),
                    "the tool " + call.name() + " ran longer than " + limits.quickTool().toMillis()
                            + " ms (SWITCHBOARD_TOOL_TIMEOUT_MS) and was stopped");
            return ToolMessage.success(call.id(), call.name(), result == null ? "" : result);
        } catch (ToolContext.PauseRequested | StepTimeoutException stop) {
            throw stop;
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

    /** A main-lane context for {@code call} that cannot pause (an approval's description reads through it). */
    static ToolContext context(Run run, ToolCall call, ObjectNode configurable, List<String> namespace, EventLog log) {
        return new InlineToolContext(run, call, configurable, namespace, log, Lane.SECONDARY, List.of(),
                new java.util.concurrent.atomic.AtomicInteger());
    }

    static void publishStep(EventLog log, Run run, AgentGraph graph, String node, int step,
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

    static ObjectNode nodeWrites(String node, List<? extends Message> messages) {
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

    static ObjectNode nodeMetadata(Run run, AgentGraph graph, String node, int step) {
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
    record InlineToolContext(Run run, ToolCall call, ObjectNode configurable, List<String> namespace,
            EventLog log, Lane lane, List<JsonNode> resumed, java.util.concurrent.atomic.AtomicInteger interrupts)
            implements ToolContext {
        @Override
        public JsonNode interrupt(JsonNode value) {
            if (lane != Lane.MAIN) {
                // The secondary lane answers while an operation runs; it never waits for a person.
                throw new IllegalStateException("a tool cannot pause the secondary lane");
            }
            int n = interrupts.getAndIncrement();
            if (n < resumed.size()) {
                return resumed.get(n).deepCopy();
            }
            throw new PauseRequested(value == null ? Json.mapper().nullNode() : value.deepCopy());
        }

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
            log.publish(new RunEvent.ToolProgress(call.name(), call.id(), percent, message));
        }
    }
}

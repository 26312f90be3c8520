package dev.switchboard.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.Pause;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ApprovalReply;
import dev.switchboard.run.Command;
import dev.switchboard.run.Lane;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunStore;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.tool.ApprovalPolicy;
import dev.switchboard.tool.Decision;
import dev.switchboard.tool.Tool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The rules of pausing for a person, in one place: which calls wait for approval, what a pause looks like, how a
 * {@code command} resumes one (checked at admission, so a bad resume is a 4xx that changes nothing), and how a
 * plain new message on a paused thread is understood.
 *
 * <p><b>The spoken-approval rule.</b> While a thread waits for approval, a new message instead of a command is
 * the customer's answer. Yes ("yes, go ahead") approves: the pending calls are answered as having waited, the
 * message joins the conversation, and the calls are made again, approved, so the history reads in the order
 * things happened. No ("no, wait", "actually don't") declines them, with the customer's words in the results.
 * Anything else declines them too and is then answered as the new message it is. The chat model decides which
 * ({@code ChatModel#approvalReply}); an explicit {@code command} always wins, and the multitask strategies keep
 * their meaning for a running run (a paused thread has none). A pause of another kind (a breakpoint, a tool's own
 * question) with calls pending is left the same way as "anything else".
 */
final class Pauses {
    /** LangGraph's name for a pause in the {@code updates} and {@code values} streams. */
    static final String INTERRUPT = "__interrupt__";
    private static final Pattern INTERRUPT_ID = Pattern.compile("[0-9a-f]{32}");

    private final Function<UUID, AgentGraph> graphs;

    Pauses(Function<UUID, AgentGraph> graphs) {
        this.graphs = graphs;
    }

    /** What a resumed run continues with: decisions by call id, and a paused tool call's resume values. */
    record Resumption(Map<String, Decision> decisions, String pausedCallId, List<JsonNode> resumed,
            Map<String, ToolMessage> completed) {
        static final Resumption NONE = new Resumption(Map.of(), null, List.of(), Map.of());

        Resumption {
            decisions = Map.copyOf(decisions);
            resumed = List.copyOf(resumed);
            completed = Map.copyOf(completed);
        }

        List<JsonNode> resumedFor(String callId) {
            return callId.equals(pausedCallId) ? resumed : List.of();
        }
    }

    // ---- approvals -------------------------------------------------------------------------------------------

    /** The calls of {@code ai} that wait for a decision under the run's policies and have none yet. */
    static List<ToolCall> awaitingApproval(AiMessage ai, AgentGraph graph, ObjectNode configurable, Resumption r) {
        JsonNode interruptOn = configurable.get(ApprovalPolicy.CONFIG_KEY);
        List<ToolCall> waiting = new ArrayList<>();
        for (ToolCall call : ai.toolCalls()) {
            Optional<Tool> tool = graph.tool(call.name());
            if (tool.isPresent() && !r.decisions().containsKey(call.id())
                    && ApprovalPolicy.effective(tool.get(), interruptOn).requires(call.args())) {
                waiting.add(call);
            }
        }
        return waiting;
    }

    /** An approval pause for {@code calls}: one interrupt in LangChain's human-in-the-loop request shape. */
    static Pause approvalPause(List<ToolCall> calls, AgentGraph graph, ObjectNode configurable,
            java.util.function.Function<ToolCall, dev.switchboard.tool.ToolContext> contexts) {
        JsonNode interruptOn = configurable.get(ApprovalPolicy.CONFIG_KEY);
        ObjectNode request = Json.object();
        ArrayNode actions = request.putArray("action_requests");
        ArrayNode reviews = request.putArray("review_configs");
        for (ToolCall call : calls) {
            Tool tool = graph.tool(call.name()).orElseThrow();
            ApprovalPolicy policy = ApprovalPolicy.effective(tool, interruptOn);
            ObjectNode action = actions.addObject();
            action.put("name", call.name());
            action.set("args", call.args());
            action.put("description", policy.describe(call.name(), call.args(), contexts.apply(call)));
            ObjectNode review = reviews.addObject();
            review.put("action_name", call.name());
            ArrayNode allowed = review.putArray("allowed_decisions");
            for (Decision.Type t : Decision.Type.values()) {
                if (policy.allowed().contains(t)) {
                    allowed.add(t.wireName());
                }
            }
            if (policy.allowed().contains(Decision.Type.EDIT)) {
                review.set("args_schema", tool.spec().parameters());
            }
        }
        return new Pause(Pause.Kind.APPROVAL, RunCheckpoints.TOOLS_NODE, taskId(),
                List.of(new Pause.Interrupt(interruptId(), request)), calls.stream().map(ToolCall::id).toList(), null, null);
    }

    static Pause breakpoint(Pause.Kind kind, String node) {
        return new Pause(kind, node, taskId(), List.of(), List.of(), null, null);
    }

    static Pause toolPause(ToolCall call, JsonNode value, List<JsonNode> resumed, List<Message> completed) {
        return new Pause(Pause.Kind.TOOL, RunCheckpoints.TOOLS_NODE, taskId(), List.of(new Pause.Interrupt(interruptId(), value)),
                List.of(call.id()), resumed, completed.stream().map(MessageJson::toJson).toList());
    }

    private static String taskId() {
        return Ids.newId().toString();
    }

    private static String interruptId() {
        return Ids.newId().toString().replace("-", "");
    }

    // ---- resuming --------------------------------------------------------------------------------------------

    /** What {@code command} gives the pending pause (validated at admission). */
    static Resumption resumption(Pause pause, Optional<Command> command) {
        Map<String, ToolMessage> completed = new HashMap<>();
        for (ObjectNode m : pause.completed()) {
            if (MessageJson.fromJson(m) instanceof ToolMessage t) {
                completed.put(t.toolCallId(), t);
            }
        }
        JsonNode value = command.filter(Command::hasResume).map(c -> unwrap(pause, c.resume())).orElse(null);
        return switch (pause.kind()) {
            case APPROVAL -> {
                if (value == null) {
                    yield Resumption.NONE; // re-executed, the node asks again (as LangGraph's interrupt() does)
                }
                List<Decision> decisions = Decision.listFromJson(value);
                Map<String, Decision> byCall = new HashMap<>();
                for (int i = 0; i < decisions.size() && i < pause.callIds().size(); i++) {
                    byCall.put(pause.callIds().get(i), decisions.get(i));
                }
                yield new Resumption(byCall, null, List.of(), completed);
            }
            case TOOL -> {
                List<JsonNode> resumed = new ArrayList<>(pause.resumed());
                if (value != null) {
                    resumed.add(value);
                }
                yield new Resumption(Map.of(), pause.callIds().getFirst(), resumed, completed);
            }
            case BEFORE, AFTER -> Resumption.NONE;
        };
    }

    /** A resume value keyed by interrupt id gives the named interrupt's value; any other value is the value. */
    private static JsonNode unwrap(Pause pause, JsonNode resume) {
        if (resume != null && resume.isObject() && !resume.isEmpty()) {
            List<String> keys = new ArrayList<>();
            resume.fieldNames().forEachRemaining(keys::add);
            if (keys.stream().allMatch(k -> INTERRUPT_ID.matcher(k).matches())) {
                for (String k : keys) {
                    if (pause.interrupt(k).isEmpty()) {
                        throw new SwitchboardException.InvalidRequest("unknown_interrupt", "command.resume names interrupt "
                                + k + ", which is not pending on this thread (pending: "
                                + pause.interrupts().stream().map(Pause.Interrupt::id).toList() + ")");
                    }
                }
                return resume.get(keys.getFirst());
            }
        }
        return resume;
    }

    /**
     * Checks a run that resumes a thread, under the thread's slot lock: the thread must be paused with no main run
     * active, and the command must fit the pause (interrupt ids, decisions, edited arguments, goto). Nothing is
     * admitted otherwise.
     */
    void checkAdmissionLocked(Run candidate, Optional<Checkpoint> latest, RunStore runs) {
        AgentGraph graph = graphs.apply(candidate.assistantId());
        ObjectNode configurable = candidate.configurable();
        ApprovalPolicy.validate(configurable.get(ApprovalPolicy.CONFIG_KEY), graph.toolsByName());
        Optional<Command> command = candidate.command();
        if (command.isEmpty()) {
            return;
        }
        Optional<Pause> pause = latest.flatMap(Checkpoint::pause);
        if (pause.isEmpty() || !runs.active(candidate.threadId(), Lane.MAIN).isEmpty()) {
            throw new SwitchboardException.Conflict("not_interrupted", "Thread " + candidate.threadId()
                    + " is not interrupted: there is nothing to resume" + (pause.isPresent() ? " while a run is active" : ""));
        }
        ConversationState state = ConversationState.fromJson(latest.get().values());
        AiMessage pending = pendingCalls(state).orElse(null);
        Command c = command.get();
        if ("tools".equals(c.goTo()) && pending == null) {
            throw new SwitchboardException.InvalidRequest("invalid_command", "command.goto tools needs tool calls to run; "
                    + "the paused state has none");
        }
        Resumption r = resumption(pause.get(), command);
        if (pause.get().kind() == Pause.Kind.APPROVAL && c.hasResume()) {
            List<String> ids = pause.get().callIds();
            if (r.decisions().size() != ids.size()) {
                throw new SwitchboardException.InvalidRequest("invalid_decision", "the approval has " + ids.size()
                        + " action request(s); give one decision for each, in order");
            }
            for (String id : ids) {
                checkDecision(graph, configurable, pending, id, r.decisions().get(id));
            }
        }
    }

    private static void checkDecision(AgentGraph graph, ObjectNode configurable, AiMessage pending, String callId,
            Decision decision) {
        ToolCall call = pending == null ? null : pending.toolCalls().stream().filter(t -> t.id().equals(callId)).findFirst().orElse(null);
        if (call == null) {
            throw new SwitchboardException.Conflict("not_interrupted", "the call awaiting approval is no longer pending");
        }
        Tool tool = graph.tool(call.name()).orElseThrow();
        ApprovalPolicy policy = ApprovalPolicy.effective(tool, configurable.get(ApprovalPolicy.CONFIG_KEY));
        if (!policy.allowed().contains(decision.type())) {
            throw new SwitchboardException.InvalidRequest("decision_not_allowed", "'" + decision.type().wireName()
                    + "' is not allowed for " + call.name() + " (allowed: "
                    + policy.allowed().stream().map(Decision.Type::wireName).sorted().toList() + ")");
        }
        if (decision instanceof Decision.Edit edit) {
            Tool target = graph.tool(edit.name()).orElseThrow(() -> new SwitchboardException.InvalidRequest("unknown_tool",
                    "the edited action names no tool of this graph: " + edit.name()));
            List<String> problems = target.spec().violations(edit.args());
            if (!problems.isEmpty()) {
                throw new SwitchboardException.InvalidRequest("invalid_arguments", "the edited arguments do not fit "
                        + edit.name() + ": " + String.join("; ", problems));
            }
        }
    }

    /** The AI message whose calls a paused state would run next, if its last message is one. */
    static Optional<AiMessage> pendingCalls(ConversationState state) {
        List<Message> messages = state.messages();
        return !messages.isEmpty() && messages.getLast() instanceof AiMessage ai && ai.hasToolCalls()
                ? Optional.of(ai) : Optional.empty();
    }

    // ---- a new message on a paused thread --------------------------------------------------------------------

    /** The last human message of a run's input, whose words may answer a pending approval. */
    static Optional<HumanMessage> reply(List<Message> input) {
        for (int i = input.size() - 1; i >= 0; i--) {
            if (input.get(i) instanceof HumanMessage h) {
                return Optional.of(h);
            }
        }
        return Optional.empty();
    }

    /** The text a customer is asked to decide on, for the model that reads their reply. */
    static String requestText(Pause pause) {
        StringBuilder text = new StringBuilder();
        for (Pause.Interrupt i : pause.interrupts()) {
            i.value().path("action_requests").forEach(a -> text.append(a.path("description").asText()).append('\n'));
        }
        return text.toString().trim();
    }

    /**
     * The state a new message on a paused thread starts from (the rule in the class comment): the pending calls
     * answered, the message added, and on a yes the approved calls made again. Returns the re-issued calls'
     * decisions (approve) for the tools step, empty otherwise.
     */
    static Map<String, Decision> answerPending(List<Message> messages, Pause pause, ApprovalReply reply,
            List<Message> inputMessages, List<Message> out) {
        out.addAll(messages);
        Optional<AiMessage> pending = pendingCalls(new ConversationState(messages, List.of(), null));
        if (pending.isEmpty()) {
            out.addAll(inputMessages);
            return Map.of();
        }
        Map<String, ToolMessage> completed = new HashMap<>();
        for (ObjectNode m : pause.completed()) {
            if (MessageJson.fromJson(m) instanceof ToolMessage t) {
                completed.put(t.toolCallId(), t);
            }
        }
        boolean approval = pause.kind() == Pause.Kind.APPROVAL;
        String said = reply(inputMessages).map(HumanMessage::content).orElse("");
        for (ToolCall call : pending.get().toolCalls()) {
            ToolMessage done = completed.get(call.id());
            if (done != null) {
                out.add(done);
            } else if (approval && reply == ApprovalReply.APPROVE) {
                out.add(ToolMessage.error(call.id(), call.name(), "Not run yet: it waited for the customer's approval, "
                        + "given in the next message; it is made again below."));
            } else if (approval && reply == ApprovalReply.REJECT && pause.callIds().contains(call.id())) {
                out.add(ToolMessage.error(call.id(), call.name(), "Not run: the customer declined it (\"" + said + "\")."));
            } else {
                out.add(ToolMessage.error(call.id(), call.name(), "Not run: the customer wrote again instead of "
                        + (approval ? "approving it" : "letting it run") + "; ask again if it is still wanted."));
            }
        }
        out.addAll(inputMessages);
        if (!(approval && reply == ApprovalReply.APPROVE)) {
            return Map.of();
        }
        List<ToolCall> again = new ArrayList<>();
        Map<String, Decision> approved = new HashMap<>();
        for (ToolCall call : pending.get().toolCalls()) {
            if (completed.containsKey(call.id())) {
                continue;
            }
            ToolCall renewed = new ToolCall("call_" + Ids.newId().toString().replace("-", ""), call.name(), call.args());
            again.add(renewed);
            if (pause.callIds().contains(call.id())) {
                approved.put(renewed.id(), new Decision.Approve());
            }
        }
        out.add(AiMessage.ofToolCalls("", again).withAdditionalKwarg("approved_by_reply", Json.mapper().getNodeFactory().textNode(said)));
        return approved;
    }

    // ---- command.update ------------------------------------------------------------------------------------

    /** {@code command.update}: messages through the add-messages reducer, other keys set. */
    static ConversationState applyUpdate(ConversationState state, ObjectNode update) {
        ConversationState next = state;
        JsonNode messages = update.get(ConversationState.MESSAGES);
        if (messages != null && !messages.isNull()) {
            next = next.addMessages(MessageJson.fromJsonList(messages));
        }
        ObjectNode other = update.deepCopy();
        other.remove(ConversationState.MESSAGES);
        other.remove(ConversationState.INTERIM_MESSAGES);
        return next.withExtra(other);
    }

    static ObjectNode updateWrites(ObjectNode update) {
        ObjectNode writes = Json.object();
        writes.set("__update__", update.deepCopy());
        return writes;
    }
}

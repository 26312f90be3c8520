package dev.switchboard.message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * History hygiene (DESIGN.md §3). Model providers reject a conversation in which a tool result answers no
 * call, or a call has no result, and a history can reach that shape through a cancelled run, an
 * interrupted tool or a trim that cut between a call and its results. The rule enforced here: the tool
 * messages directly after an AI message answer that message's calls, each call exactly once, and nothing
 * else may answer a call.
 */
public final class History {
    /** How many recent messages go to a model unless {@code RBC_FEES_MAX_MSGS} says otherwise. */
    public static final int DEFAULT_MAX_MESSAGES = 40;
    /** What a model is told about a call whose result is missing from the history. */
    public static final String NO_RESULT = "cancelled: no result was recorded for this tool call";

    private History() {
    }

    /**
     * LangGraph's {@code add_messages} reducer: {@code right} is appended, except that a message whose id
     * is already present replaces that message in place (so a run can rewrite a message it streamed).
     */
    public static List<Message> addMessages(List<Message> left, List<Message> right) {
        List<Message> merged = new ArrayList<>(left);
        Map<String, Integer> indexById = new HashMap<>();
        for (int i = 0; i < merged.size(); i++) {
            indexById.put(merged.get(i).id(), i);
        }
        for (Message m : right) {
            Integer existing = indexById.get(m.id());
            if (existing != null) {
                merged.set(existing, m);
            } else {
                indexById.put(m.id(), merged.size());
                merged.add(m);
            }
        }
        return List.copyOf(merged);
    }

    /**
     * Makes a history valid for a model: drops tool messages that answer no open call (leading ones,
     * those after a non-AI message, repeats), and gives every call left without a result a synthetic error
     * result right after the results it has. Never drops or reorders a non-tool message.
     */
    public static List<Message> sanitize(List<Message> history) {
        List<Message> out = new ArrayList<>(history.size() + 4);
        // Calls of the nearest preceding AI message still waiting for their result; empty when the
        // previous non-tool message is not an AI message, so any tool message there is an orphan.
        Map<String, ToolCall> open = new LinkedHashMap<>();
        for (Message m : history) {
            switch (m) {
                case ToolMessage tool -> {
                    if (open.remove(tool.toolCallId()) != null) {
                        out.add(tool);
                    }
                }
                case AiMessage ai -> {
                    closeOpen(open, out);
                    out.add(ai);
                    for (ToolCall call : ai.toolCalls()) {
                        open.put(call.id(), call);
                    }
                }
                case HumanMessage human -> {
                    closeOpen(open, out);
                    out.add(human);
                }
                case SystemMessage system -> {
                    closeOpen(open, out);
                    out.add(system);
                }
            }
        }
        closeOpen(open, out);
        return List.copyOf(out);
    }

    private static void closeOpen(Map<String, ToolCall> open, List<Message> out) {
        for (ToolCall call : open.values()) {
            out.add(ToolMessage.error(call.id(), call.name(), NO_RESULT));
        }
        open.clear();
    }

    /**
     * The most recent {@code max} messages, or fewer: a cut that would land among tool results moves
     * forward past them, since results without their call are worse than a shorter history.
     */
    public static List<Message> trim(List<Message> history, int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        int size = history.size();
        if (size <= max) {
            return List.copyOf(history);
        }
        int start = size - max;
        while (start < size && history.get(start) instanceof ToolMessage) {
            start++;
        }
        return List.copyOf(history.subList(start, size));
    }

    /** What to send to a model: at most {@code max} recent messages, always valid. */
    public static List<Message> forModel(List<Message> history, int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
        // The second pass is a guard: trimming a valid history at a non-tool message keeps it valid.
        return sanitize(trim(sanitize(history), max));
    }


    /** Every way the history breaks the rule, one readable sentence each; empty when it is valid. */
    public static List<String> violations(List<Message> history) {
        List<String> out = new ArrayList<>();
        int aiIndex = -1;
        AiMessage ai = null;
        Set<String> answered = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            Message m = history.get(i);
            if (m instanceof ToolMessage tool) {
                if (ai == null) {
                    out.add(describe(i, m) + " answers tool call \"" + tool.toolCallId()
                            + "\" but does not follow an AI message's tool calls");
                } else if (ai.toolCall(tool.toolCallId()).isEmpty()) {
                    out.add(describe(i, m) + " answers tool call \"" + tool.toolCallId()
                            + "\", which " + describe(aiIndex, ai) + " did not make");
                } else if (!answered.add(tool.toolCallId())) {
                    out.add(describe(i, m) + " answers tool call \"" + tool.toolCallId() + "\" a second time");
                }
                continue;
            }
            unanswered(aiIndex, ai, answered, out);
            ai = m instanceof AiMessage a ? a : null;
            aiIndex = i;
            answered.clear();
        }
        unanswered(aiIndex, ai, answered, out);
        return List.copyOf(out);
    }

    private static void unanswered(int aiIndex, AiMessage ai, Set<String> answered, List<String> out) {
        if (ai == null) {
            return;
        }
        for (ToolCall call : ai.toolCalls()) {
            if (!answered.contains(call.id())) {
                out.add(describe(aiIndex, ai) + ": tool call \"" + call.id() + "\" (" + call.name() + ") has no result");
            }
        }
    }

    private static String describe(int index, Message m) {
        return "message " + index + " (" + m.type().wireName() + ", id " + m.id() + ")";
    }

    public static boolean isValid(List<Message> history) {
        return violations(history).isEmpty();
    }

    /**
     * Gives every call of the last AI message that has no result a synthetic error result with
     * {@code reason} as its content, placed after the results it has. Used when a run is interrupted while
     * its tools run, so the persisted history stays valid for the next run.
     */
    public static List<Message> closeDanglingToolCalls(List<Message> history, String reason) {
        Objects.requireNonNull(reason, "reason");
        int last = history.size() - 1;
        while (last >= 0 && !(history.get(last) instanceof AiMessage)) {
            last--;
        }
        if (last < 0) {
            return List.copyOf(history);
        }
        AiMessage ai = (AiMessage) history.get(last);
        Set<String> answered = new HashSet<>();
        int end = last + 1;
        while (end < history.size() && history.get(end) instanceof ToolMessage tool) {
            answered.add(tool.toolCallId());
            end++;
        }
        List<Message> closing = new ArrayList<>();
        for (ToolCall call : ai.toolCalls()) {
            if (!answered.contains(call.id())) {
                closing.add(ToolMessage.error(call.id(), call.name(), reason));
            }
        }
        if (closing.isEmpty()) {
            return List.copyOf(history);
        }
        // Normally `end` is the end of the list; inserting there rather than appending keeps the history
        // valid even if a human message already follows the interrupted step.
        List<Message> out = new ArrayList<>(history.size() + closing.size());
        out.addAll(history.subList(0, end));
        out.addAll(closing);
        out.addAll(history.subList(end, history.size()));
        return List.copyOf(out);
    }
}

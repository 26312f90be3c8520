package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.scripted.ScriptedChatModel;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic model for lane tests. It picks a tool by keywords in the last human message (only tools it
 * was offered, unless the text says "ignore your rules", to play a tricked model), answers from a tool result,
 * and writes a synthesis that names each operation's outcome and quotes every interim question. Tokens are the
 * answer's words, {@code delay_ms} apart (run configurable; default 0).
 */
public final class ScriptedLaneModel implements ChatModel {
    /** keyword → tool name, checked in order. */
    private final List<String[]> rules;

    public ScriptedLaneModel(List<String[]> rules) {
        this.rules = List.copyOf(rules);
    }

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException {
        long delay = ScriptedChatModel.knob(request.configurable(), "delay_ms", 0);
        List<Message> messages = request.messages();
        if (request.purpose() == ModelRequest.Purpose.SYNTHESIS) {
            return stream(synthesis(request.synthesis().toJson()), delay, listener);
        }
        Message last = messages.getLast();
        if (last instanceof ToolMessage result) {
            return stream(afterTool(result), delay, listener);
        }
        String human = lastHuman(messages).toLowerCase(Locale.ROOT);
        boolean tricked = human.contains("ignore your rules");
        for (String[] rule : rules) {
            if (human.contains(rule[0]) && (tricked || offered(request.tools(), rule[1]))) {
                ScriptedChatModel.pause(delay);
                ObjectNode args = Json.object();
                args.put("target", human);
                return AiMessage.ofToolCalls("", List.of(ToolCall.of(rule[1], args)));
            }
        }
        return stream("ok: " + human, delay, listener);
    }

    private static boolean offered(List<ToolSpec> tools, String name) {
        return tools.stream().anyMatch(t -> t.name().equals(name));
    }

    private static String afterTool(ToolMessage result) {
        JsonNode json;
        try {
            json = Json.parse(result.content());
        } catch (RuntimeException notJson) {
            return (result.isError() ? "Sorry: " : "Done: ") + result.content();
        }
        if (json.has("cancel")) {
            return "Cancel " + json.path("cancel").asText() + ": " + json.path("explanation").asText();
        }
        if (json.has("percent")) {
            return "Status: " + json.path("status").asText() + " at " + json.path("percent").asInt() + "% ("
                    + json.path("step").asText() + ")";
        }
        return (result.isError() ? "Sorry: " : "Done: ") + result.content();
    }

    private static String synthesis(JsonNode data) {
        List<String> parts = new ArrayList<>();
        for (JsonNode op : data.path("operations")) {
            parts.add(op.path("tool").asText() + " " + op.path("status").asText());
        }
        List<String> questions = new ArrayList<>();
        for (JsonNode m : data.path("interim_messages")) {
            if (m.path("type").asText().equals("human")) {
                questions.add("'" + m.path("content").asText() + "'");
            }
        }
        return "SYNTHESIS: " + String.join(", ", parts) + (questions.isEmpty() ? "" : "; answered " + String.join(", ", questions));
    }

    private static String lastHuman(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof HumanMessage h) {
                return h.content();
            }
        }
        return "";
    }

    private static AiMessage stream(String text, long delay, ModelListener listener) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            ScriptedChatModel.pause(delay);
            String token = i == 0 ? words[i] : " " + words[i];
            listener.onToken(token);
            out.append(token);
        }
        return AiMessage.of(out.toString());
    }
}

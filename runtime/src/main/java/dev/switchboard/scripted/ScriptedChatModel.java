package dev.switchboard.scripted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A deterministic streaming model that behaves like the LangGraph.js peer's fake model, so the two servers
 * can be compared on equal terms:
 * <ul>
 *   <li>it waits {@code delay_ms} before every token (the first included) and streams {@code tokens} tokens:
 *       {@code reply to "<last human text>":} then {@code " t1"}, {@code " t2"}, …;</li>
 *   <li>if the conversation ends with a human message containing the word "tool", it answers with one call
 *       to {@value #SLOW_TOOL} instead (after one delay);</li>
 *   <li>if the last human message contains the word "fail", it throws after streaming two tokens.</li>
 * </ul>
 * Knobs come from the run's {@code configurable} ({@code tokens}, {@code delay_ms}), else the constructor's
 * defaults, else {@code FAKE_TOKENS} / {@code FAKE_TOKEN_DELAY_MS}, else 40 tokens and 50 ms. Waiting is
 * {@link Thread#sleep}, so interrupting the caller stops the stream at once.
 */
public final class ScriptedChatModel implements ChatModel {
    public static final String SLOW_TOOL = "slow_tool";
    private static final Pattern TOOL_WORD = Pattern.compile("\\btool\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern FAIL_WORD = Pattern.compile("\\bfail\\b", Pattern.CASE_INSENSITIVE);

    private final int defaultTokens;
    private final long defaultDelayMs;

    public ScriptedChatModel() {
        this(envInt("FAKE_TOKENS", 40), envInt("FAKE_TOKEN_DELAY_MS", 50));
    }

    public ScriptedChatModel(int defaultTokens, long defaultDelayMs) {
        this.defaultTokens = defaultTokens;
        this.defaultDelayMs = defaultDelayMs;
    }

    /** The model's deliberate failure, so tests can tell it from a bug. */
    public static final class ScriptedFailure extends RuntimeException {
        public ScriptedFailure(String message) {
            super(message);
        }
    }

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException {
        int tokens = Math.max(1, knob(request.configurable(), "tokens", defaultTokens));
        long delayMs = knob(request.configurable(), "delay_ms", (int) defaultDelayMs);
        List<Message> messages = request.messages();
        String human = lastHumanText(messages);
        Message last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last instanceof HumanMessage && TOOL_WORD.matcher(human).find()) {
            pause(delayMs);
            ObjectNode args = Json.object();
            args.put("reason", human);
            return AiMessage.ofToolCalls("", List.of(ToolCall.of(SLOW_TOOL, args)));
        }
        boolean fail = FAIL_WORD.matcher(human).find();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            if (fail && i == 2) {
                throw new ScriptedFailure("FakeStreamingChatModel: requested failure");
            }
            pause(delayMs);
            String token = i == 0 ? "reply to \"" + human + "\":" : " t" + i;
            listener.onToken(token);
            text.append(token);
        }
        return AiMessage.of(text.toString());
    }

    static String lastHumanText(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof HumanMessage h) {
                return h.content();
            }
        }
        return "";
    }

    public static void pause(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        } else if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("cancelled");
        }
    }

    public static int knob(ObjectNode configurable, String key, int fallback) {
        JsonNode value = configurable == null ? null : configurable.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        int parsed = value.isNumber() ? value.asInt() : parseOr(value.asText(), -1);
        return parsed >= 0 ? parsed : fallback;
    }

    private static int envInt(String name, int fallback) {
        String raw = System.getenv(name);
        int parsed = raw == null ? -1 : parseOr(raw.trim(), -1);
        return parsed >= 0 ? parsed : fallback;
    }

    private static int parseOr(String text, int fallback) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}

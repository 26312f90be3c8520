package dev.switchboard.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random histories, including every kind of breakage a cancelled run or a bad client can produce, must
 * always come out of {@link History#forModel} valid and bounded. Validity is checked by an oracle written
 * independently of {@link History#violations}, so a shared misunderstanding cannot hide.
 */
class HistoryRandomizedTest {
    private static final long SEED = 0x5eed_5b0a_4dL;
    private static final int HISTORIES = 3000;

    @Test
    void forModel_randomHistories_alwaysValidAndWithinMax() {
        Random random = new Random(SEED);
        int sawInvalidInput = 0;
        for (int n = 0; n < HISTORIES; n++) {
            List<Message> history = randomHistory(random);
            int max = 1 + random.nextInt(16);
            String context = "history #" + n + " (seed " + SEED + ", max " + max + "): " + render(history);

            boolean inputValid = oracleValid(history);
            if (!inputValid) {
                sawInvalidInput++;
            }
            assertThat(History.isValid(history)).as("violations() agrees with the oracle on " + context).isEqualTo(inputValid);

            List<Message> sanitized = History.sanitize(history);
            assertThat(oracleValid(sanitized)).as("sanitize " + context).isTrue();
            assertThat(History.sanitize(sanitized)).as("sanitize is idempotent on " + context).isEqualTo(sanitized);
            assertThat(nonTool(sanitized)).as("sanitize keeps every non-tool message of " + context).isEqualTo(nonTool(history));
            if (inputValid) {
                assertThat(sanitized).as("a valid history is left alone: " + context).isEqualTo(history);
            }

            List<Message> trimmed = History.trim(history, max);
            assertThat(trimmed.size()).as("trim " + context).isLessThanOrEqualTo(max);
            assertThat(history.subList(history.size() - trimmed.size(), history.size()))
                    .as("trim keeps a suffix of " + context).isEqualTo(trimmed);
            if (!trimmed.isEmpty() && trimmed.size() < history.size()) {
                assertThat(trimmed.getFirst()).as("trim never starts on a tool result: " + context)
                        .isNotInstanceOf(ToolMessage.class);
            }

            List<Message> sent = History.forModel(history, max);
            assertThat(sent.size()).as("forModel size " + context).isLessThanOrEqualTo(max);
            assertThat(oracleValid(sent)).as("forModel " + context + " gave " + render(sent)).isTrue();
            assertThat(History.violations(sent)).as("forModel " + context).isEmpty();
            if (!history.isEmpty() && !(history.getLast() instanceof ToolMessage) && lastTurnFits(history.getLast(), max)) {
                // The newest message is what the model must answer; it is lost only when it and the
                // results its calls need do not fit in max at all.
                assertThat(sent).as("forModel keeps the newest message of " + context).contains(history.getLast());
            }
        }
        // Guards the generator: the test is worthless if it only produced valid histories.
        assertThat(sawInvalidInput).isGreaterThan(HISTORIES / 3);
    }

    private static List<Message> randomHistory(Random random) {
        List<Message> out = new ArrayList<>();
        int length = random.nextInt(30);
        AiMessage lastAi = null;
        int seq = 0;
        for (int i = 0; i < length; i++) {
            int roll = random.nextInt(100);
            String id = "m" + seq++;
            if (roll < 20) {
                out.add(new HumanMessage(id, "h", null));
            } else if (roll < 30) {
                out.add(new AiMessage(id, "a", List.of(), null));
                lastAi = (AiMessage) out.getLast();
            } else if (roll < 45) {
                List<ToolCall> calls = new ArrayList<>();
                int count = 1 + random.nextInt(3);
                for (int c = 0; c < count; c++) {
                    // A small id space, so ids repeat across AI messages as they do with scripted models.
                    calls.add(new ToolCall("c" + (random.nextInt(6) * 10 + c), "t" + c, null));
                }
                out.add(new AiMessage(id, "", calls, null));
                lastAi = (AiMessage) out.getLast();
            } else if (roll < 85 && lastAi != null && lastAi.hasToolCalls()) {
                // Mostly a result for a call of the latest AI message (possibly a repeat or out of place).
                ToolCall call = lastAi.toolCalls().get(random.nextInt(lastAi.toolCalls().size()));
                out.add(new ToolMessage(id, "r", call.id(), call.name(), ToolStatus.SUCCESS, null));
            } else if (roll < 92) {
                out.add(new ToolMessage(id, "r", "c" + random.nextInt(60), "t", ToolStatus.ERROR, null));
            } else {
                out.add(new SystemMessage(id, "s", null));
            }
        }
        return out;
    }

    /** Validity restated from the model providers' side: every call is followed by its one result, nothing else. */
    private static boolean oracleValid(List<Message> history) {
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i) instanceof AiMessage ai) {
                int end = i + 1;
                while (end < history.size() && history.get(end) instanceof ToolMessage) {
                    end++;
                }
                Map<String, Integer> results = new HashMap<>();
                for (Message m : history.subList(i + 1, end)) {
                    results.merge(((ToolMessage) m).toolCallId(), 1, Integer::sum);
                }
                Set<String> calls = new HashSet<>();
                ai.toolCalls().forEach(c -> calls.add(c.id()));
                if (!results.keySet().equals(calls) || results.values().stream().anyMatch(count -> count != 1)) {
                    return false;
                }
            } else if (history.get(i) instanceof ToolMessage) {
                int j = i - 1;
                while (j >= 0 && history.get(j) instanceof ToolMessage) {
                    j--;
                }
                if (j < 0 || !(history.get(j) instanceof AiMessage)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean lastTurnFits(Message last, int max) {
        return !(last instanceof AiMessage ai) || 1 + ai.toolCalls().size() <= max;
    }

    private static List<Message> nonTool(List<Message> history) {
        return history.stream().filter(m -> !(m instanceof ToolMessage)).toList();
    }

    private static String render(List<Message> history) {
        StringBuilder sb = new StringBuilder("[");
        for (Message m : history) {
            switch (m) {
                case HumanMessage h -> sb.append("H ");
                case SystemMessage s -> sb.append("S ");
                case AiMessage a -> sb.append(a.hasToolCalls()
                        ? "AI" + a.toolCalls().stream().map(ToolCall::id).toList() + " " : "AI ");
                case ToolMessage t -> sb.append("T(").append(t.toolCallId()).append(") ");
            }
        }
        return sb.append("]").toString();
    }
}

package dev.switchboard.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static HumanMessage human(String id) {
        return new HumanMessage(id, "text of " + id, null);
    }

    private static AiMessage ai(String id, String... callIds) {
        List<ToolCall> calls = new ArrayList<>();
        for (String c : callIds) {
            calls.add(new ToolCall(c, "tool_" + c, null));
        }
        return new AiMessage(id, "", calls, null);
    }

    private static ToolMessage result(String id, String callId) {
        return new ToolMessage(id, "result " + id, callId, "tool_" + callId, ToolStatus.SUCCESS, null);
    }

    private static List<String> ids(List<Message> messages) {
        return messages.stream().map(Message::id).toList();
    }

    // --- addMessages

    @Test
    void addMessages_newIds_areAppended() {
        List<Message> left = List.of(human("h1"), ai("a1"));
        List<Message> merged = History.addMessages(left, List.of(human("h2")));
        assertThat(ids(merged)).containsExactly("h1", "a1", "h2");
    }

    @Test
    void addMessages_sameId_replacesInPlace() {
        List<Message> left = List.of(human("h1"), new AiMessage("a1", "draft", null, null), human("h2"));
        AiMessage rewritten = new AiMessage("a1", "final", null, null);
        List<Message> merged = History.addMessages(left, List.of(rewritten, human("h3")));
        assertThat(ids(merged)).containsExactly("h1", "a1", "h2", "h3");
        assertThat(merged.get(1).content()).isEqualTo("final");
    }

    @Test
    void addMessages_duplicateWithinRight_laterWins() {
        List<Message> merged = History.addMessages(List.of(),
                List.of(new HumanMessage("x", "one", null), new HumanMessage("x", "two", null)));
        assertThat(merged).singleElement().extracting(Message::content).isEqualTo("two");
    }

    @Test
    void addMessages_returnsImmutableList_leavesInputsAlone() {
        List<Message> left = new ArrayList<>(List.of(human("h1")));
        List<Message> merged = History.addMessages(left, List.of(human("h2")));
        assertThat(left).hasSize(1);
        assertThatThrownBy(() -> merged.add(human("h3"))).isInstanceOf(UnsupportedOperationException.class);
    }

    // --- sanitize

    @Test
    void sanitize_validHistory_unchanged() {
        List<Message> valid = List.of(human("h1"), ai("a1", "c1", "c2"), result("t1", "c1"), result("t2", "c2"),
                ai("a2"), human("h2"));
        assertThat(History.sanitize(valid)).isEqualTo(valid);
    }

    @Test
    void sanitize_leadingToolMessages_dropped() {
        List<Message> h = List.of(result("t0", "c0"), human("h1"), ai("a1"));
        assertThat(ids(History.sanitize(h))).containsExactly("h1", "a1");
    }

    @Test
    void sanitize_orphanToolMessages_dropped() {
        List<Message> h = List.of(
                human("h1"), ai("a1", "c1"), result("t1", "c1"),
                result("t-wrong", "c9"),          // answers a call nobody made
                result("t-dup", "c1"),            // second result for c1
                human("h2"),
                result("t-after-human", "c1"),    // a result separated from its call
                ai("a2"), result("t-no-calls", "c1"));
        List<Message> clean = History.sanitize(h);
        assertThat(ids(clean)).containsExactly("h1", "a1", "t1", "h2", "a2");
        assertThat(History.isValid(clean)).isTrue();
    }

    @Test
    void sanitize_danglingCalls_closedAfterExistingResults() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1", "c2", "c3"), result("t2", "c2"), human("h2"));
        List<Message> clean = History.sanitize(h);
        assertThat(clean).hasSize(6);
        assertThat(ids(clean).subList(0, 3)).containsExactly("h1", "a1", "t2");
        assertThat(clean.get(3)).isInstanceOfSatisfying(ToolMessage.class, t -> {
            assertThat(t.toolCallId()).isEqualTo("c1");
            assertThat(t.name()).isEqualTo("tool_c1");
            assertThat(t.status()).isEqualTo(ToolStatus.ERROR);
            assertThat(t.content()).isEqualTo("cancelled: no result was recorded for this tool call");
        });
        assertThat(((ToolMessage) clean.get(4)).toolCallId()).isEqualTo("c3");
        assertThat(clean.get(5).id()).isEqualTo("h2");
        assertThat(History.isValid(clean)).isTrue();
    }

    @Test
    void sanitize_danglingCallsAtEnd_closed() {
        List<Message> clean = History.sanitize(List.of(human("h1"), ai("a1", "c1")));
        assertThat(clean).hasSize(3);
        assertThat(((ToolMessage) clean.get(2)).toolCallId()).isEqualTo("c1");
    }

    @Test
    void sanitize_sameCallIdInTwoAiMessages_eachAnsweredLocally() {
        // Scripted and local models reuse ids like "call_0"; validity is judged per AI message.
        List<Message> h = List.of(ai("a1", "call_0"), result("t1", "call_0"), ai("a2", "call_0"), result("t2", "call_0"));
        assertThat(History.sanitize(h)).isEqualTo(h);
        assertThat(History.isValid(h)).isTrue();
    }

    // --- trim

    @Test
    void trim_shortHistory_keptWhole() {
        List<Message> h = List.of(human("h1"), ai("a1"));
        assertThat(History.trim(h, 5)).isEqualTo(h);
        assertThat(History.trim(h, 2)).isEqualTo(h);
    }

    @Test
    void trim_keepsMostRecentMax() {
        List<Message> h = List.of(human("h1"), ai("a1"), human("h2"), ai("a2"), human("h3"));
        assertThat(ids(History.trim(h, 3))).containsExactly("h2", "a2", "h3");
        assertThat(ids(History.trim(h, 1))).containsExactly("h3");
    }

    @Test
    void trim_cutInsideToolResults_movesCutForward() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1", "c2"), result("t1", "c1"), result("t2", "c2"),
                ai("a2"), human("h2"));
        // The last 4 would start at t1, cutting a1 off from its results.
        assertThat(ids(History.trim(h, 4))).containsExactly("a2", "h2");
        assertThat(ids(History.trim(h, 3))).containsExactly("a2", "h2");
        assertThat(ids(History.trim(h, 5))).containsExactly("a1", "t1", "t2", "a2", "h2");
    }

    @Test
    void trim_onlyToolMessagesInWindow_givesEmpty() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1", "c2"), result("t1", "c1"), result("t2", "c2"));
        assertThat(History.trim(h, 2)).isEmpty();
    }

    @Test
    void trim_nonPositiveMax_rejected() {
        assertThatThrownBy(() -> History.trim(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> History.forModel(List.of(), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- forModel

    @Test
    void forModel_invalidLongHistory_validAndBounded() {
        List<Message> h = new ArrayList<>();
        h.add(result("t0", "c0"));
        for (int i = 0; i < 30; i++) {
            h.add(human("h" + i));
            h.add(ai("a" + i, "c" + i));
            if (i % 3 != 0) {
                h.add(result("t" + i, "c" + i));
            }
        }
        List<Message> sent = History.forModel(h, 10);
        // Sanitized, every turn is 3 messages; the last 10 would start on a26's result, so 9 are kept.
        assertThat(ids(sent)).startsWith("h27", "a27").endsWith("a29", "t29").hasSize(9);
        assertThat(History.violations(sent)).isEmpty();
    }

    // --- violations

    @Test
    void violations_validHistory_none() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1"), result("t1", "c1"), ai("a2"));
        assertThat(History.violations(h)).isEmpty();
        assertThat(History.isValid(h)).isTrue();
        assertThat(History.isValid(List.of())).isTrue();
    }

    @Test
    void violations_eachKind_reportedReadably() {
        List<Message> h = List.of(
                result("t0", "c0"),
                ai("a1", "c1", "c2"), result("t1", "c1"), result("t1b", "c1"), result("tx", "c9"),
                human("h1"));
        List<String> v = History.violations(h);
        assertThat(v).hasSize(4);
        assertThat(v.get(0)).contains("message 0", "t0", "does not follow");
        assertThat(v.get(1)).contains("message 3", "\"c1\"", "second time");
        assertThat(v.get(2)).contains("message 4", "\"c9\"", "message 1");
        assertThat(v.get(3)).contains("message 1", "\"c2\"", "no result");
        assertThat(History.isValid(h)).isFalse();
    }

    @Test
    void violations_danglingCallAtEnd_reported() {
        assertThat(History.violations(List.of(human("h"), ai("a", "c")))).singleElement().asString().contains("no result");
    }

    // --- closeDanglingToolCalls

    @Test
    void closeDanglingToolCalls_interruptedMidTool_appendsErrorResults() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1", "c2"), result("t1", "c1"));
        List<Message> closed = History.closeDanglingToolCalls(h, "cancelled");
        assertThat(closed).hasSize(4);
        assertThat(closed.subList(0, 3)).isEqualTo(h);
        assertThat(closed.get(3)).isInstanceOfSatisfying(ToolMessage.class, t -> {
            assertThat(t.toolCallId()).isEqualTo("c2");
            assertThat(t.name()).isEqualTo("tool_c2");
            assertThat(t.content()).isEqualTo("cancelled");
            assertThat(t.isError()).isTrue();
        });
        assertThat(History.isValid(closed)).isTrue();
    }

    @Test
    void closeDanglingToolCalls_nothingDangling_unchanged() {
        List<Message> h = List.of(human("h1"), ai("a1", "c1"), result("t1", "c1"), ai("a2"));
        assertThat(History.closeDanglingToolCalls(h, "cancelled")).isEqualTo(h);
        assertThat(History.closeDanglingToolCalls(List.of(human("h")), "cancelled")).containsExactly(human("h"));
    }

    @Test
    void closeDanglingToolCalls_onlyLastAiMessage() {
        List<Message> h = List.of(ai("a0", "old"), human("h1"), ai("a1", "c1"));
        List<Message> closed = History.closeDanglingToolCalls(h, "cancelled");
        assertThat(closed).hasSize(4);
        assertThat(((ToolMessage) closed.get(3)).toolCallId()).isEqualTo("c1");
    }

    @Test
    void closeDanglingToolCalls_humanAlreadyFollows_insertsBeforeIt() {
        List<Message> h = List.of(ai("a1", "c1"), human("h2"));
        List<Message> closed = History.closeDanglingToolCalls(h, "cancelled");
        assertThat(closed.get(1)).isInstanceOf(ToolMessage.class);
        assertThat(closed.get(2).id()).isEqualTo("h2");
        assertThat(History.isValid(closed)).isTrue();
    }
}

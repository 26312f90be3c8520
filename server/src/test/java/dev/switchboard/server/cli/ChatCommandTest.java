package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.web.TestAgents;
import dev.switchboard.server.web.UiServer;
import dev.switchboard.thread.ConversationState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code switchboard chat} through its line protocol against a real server on a free port. */
class ChatCommandTest {
    private static final int TOKENS = 20;
    private static final Semaphore GATE = new Semaphore(0);
    private static UiServer server;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(TOKENS, 40), TestAgents.lanes(GATE, 5)));
    }

    @AfterAll
    static void stop() {
        GATE.release(1000);
        server.close();
    }

    @BeforeEach
    void closeTheGate() {
        GATE.drainPermits();
    }

    private static ChatTranscript chat(String assistant, String... options) {
        ChatCommand command = new ChatCommand();
        command.url = server.url();
        command.assistant = assistant;
        command.strategy = "interrupt";
        for (int i = 0; i < options.length; i += 2) {
            switch (options[i]) {
                case "--strategy" -> command.strategy = options[i + 1];
                case "--thread" -> command.thread = UUID.fromString(options[i + 1]);
                default -> throw new IllegalArgumentException(options[i]);
            }
        }
        return new ChatTranscript(command);
    }

    private static void awaitText(ChatTranscript chat, String expected) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(chat.text()).contains(expected));
    }

    private static String tokens(String question) {
        StringBuilder b = new StringBuilder("reply to \"" + question + "\":");
        for (int i = 1; i < TOKENS; i++) {
            b.append(" t").append(i);
        }
        return b.toString();
    }

    private static UUID threadOf(ChatTranscript chat) {
        Matcher m = Pattern.compile("conversation ([0-9a-f-]{36})").matcher(chat.text());
        assertThat(m.find()).as("the chat names its thread").isTrue();
        return UUID.fromString(m.group(1));
    }

    private static List<String> state(UUID thread) {
        ObjectNode values = (ObjectNode) server.switchboard.state(thread, null).orElseThrow().values();
        return ConversationState.fromJson(values).messages().stream()
                .map(m -> m.type().wireName() + ": " + m.content()).toList();
    }

    private static int exitCode(ChatTranscript chat) throws Exception {
        chat.close();
        return chat.exit.get(30, TimeUnit.SECONDS);
    }

    @Test
    void chat_printsTheAnswerTokenByTokenOnOneLine() throws Exception {
        ChatTranscript chat = chat(TestAgents.SCRIPTED);
        awaitText(chat, "new conversation");
        chat.type("hello");

        awaitText(chat, "agent › reply to \"hello\": t1 t2");
        // Seen while it was still being written: tokens arrive one by one, not as one block at the end.
        assertThat(chat.text()).doesNotContain(" t" + (TOKENS - 1));
        awaitText(chat, "agent › " + tokens("hello") + "\n");
        assertThat(chat.text()).contains("you › hello\n");
        assertThat(exitCode(chat)).isZero();
    }

    @Test
    void chat_lineTypedWhileStreaming_interruptsByDefaultAndMarksTheCutAnswer() throws Exception {
        ChatTranscript chat = chat(TestAgents.SCRIPTED);
        awaitText(chat, "a new message will interrupt it");
        chat.type("first");
        awaitText(chat, "reply to \"first\": t1 t2 t3");
        chat.type("second");

        awaitText(chat, "agent › " + tokens("second") + "\n");
        // The echoed line broke the cut answer's line; what happened to it is a line of its own, never mid-sentence.
        assertThat(chat.text()).containsPattern("agent › reply to \"first\": t1 t2 t3.*\n(.*\n)*you › second\n"
                + "(.*\n)*(agent › … |\n {8})\\[interrupted]\n");
        assertThat(exitCode(chat)).isZero();
        assertThat(state(threadOf(chat))).containsExactly("human: first", "human: second", "ai: " + tokens("second"));
    }

    @Test
    void chat_withRollbackStrategy_marksTheAnswerRolledBackAndTheThreadForgetsIt() throws Exception {
        ChatTranscript chat = chat(TestAgents.SCRIPTED, "--strategy", "rollback");
        awaitText(chat, "a new message will roll it back");
        chat.type("first");
        awaitText(chat, "reply to \"first\": t1 t2 t3");
        chat.type("second");

        awaitText(chat, "agent › " + tokens("second") + "\n");
        assertThat(chat.text()).containsPattern("(agent › … |\n {8})\\[rolled back]\n");
        assertThat(exitCode(chat)).isZero();
        assertThat(state(threadOf(chat))).containsExactly("human: second", "ai: " + tokens("second"));
    }

    @Test
    void chat_withRejectStrategy_saysWhyTheMessageWasNotSent() throws Exception {
        ChatTranscript chat = chat(TestAgents.SCRIPTED);
        awaitText(chat, "new conversation");
        chat.type("/strategy reject");
        awaitText(chat, "will now be refused");
        chat.type("first");
        awaitText(chat, "reply to \"first\": t1 t2");
        chat.type("second");

        awaitText(chat, "! not sent: the agent is still answering and the strategy is reject");
        // The refused line interrupted the printing, not the answer: it resumes after "…".
        awaitText(chat, " t" + (TOKENS - 1) + "\n");
        assertThat(chat.text()).containsPattern("agent › … t\\d+");
        assertThat(exitCode(chat)).isZero();
        assertThat(state(threadOf(chat))).containsExactly("human: first", "ai: " + tokens("first"));
    }

    @Test
    void chat_intoAPipe_printsAProgressLinePerStep_andBadgesSecondaryAnswers() throws Exception {
        ChatTranscript chat = chat(TestAgents.LANES);
        awaitText(chat, "new conversation");
        chat.type("please change my plan");
        awaitText(chat, "\n⚙ change_plan [██░░░░░░░░░░░░░░░░░░]  10%  checking eligibility\n");

        chat.type("what's my balance?");
        awaitText(chat, "agent [secondary lane] › Done: 3.2 GB left\n");
        GATE.release(1);
        awaitText(chat, "⚙ change_plan [████████░░░░░░░░░░░░]  40%  reserving on the network");
        chat.type("status?");
        awaitText(chat, "agent [secondary lane] › Status: running at 40% (reserving on the network)\n");

        GATE.release(10);
        awaitText(chat, "✔ change_plan [████████████████████] 100%  succeeded");
        awaitText(chat, "agent › SYNTHESIS: change_plan succeeded; answered 'what's my balance?', 'status?'\n");
        assertThat(exitCode(chat)).isZero();
        // A pipe holds no redraws: each step is one whole line, printed once.
        assertThat(chat.text()).doesNotContain("\r");
        List<String> barLines = java.util.Arrays.stream(chat.text().split("\n")).filter(l -> l.contains("change_plan ["))
                .toList();
        assertThat(barLines).as(chat.text()).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void chat_cancelCommand_cancelsTheRunningOperation() throws Exception {
        ChatTranscript chat = chat(TestAgents.LANES);
        awaitText(chat, "new conversation");
        chat.type("please change my plan");
        awaitText(chat, " 10%  checking eligibility");
        chat.type("/cancel");

        awaitText(chat, "change_plan: cancel accepted");
        awaitText(chat, "✖ change_plan [██░░░░░░░░░░░░░░░░░░]  10%  cancelled");
        awaitText(chat, "agent › SYNTHESIS: change_plan cancelled\n");
        assertThat(exitCode(chat)).isZero();
    }

    @Test
    void chat_withThreadOption_showsTheConversationSoFarAndContinuesIt() throws Exception {
        ChatTranscript first = chat(TestAgents.SCRIPTED);
        first.type("remember me");
        awaitText(first, tokens("remember me") + "\n");
        assertThat(exitCode(first)).isZero();
        UUID thread = threadOf(first);

        ChatTranscript again = chat(TestAgents.SCRIPTED, "--thread", thread.toString());
        awaitText(again, "— earlier in this conversation —");
        awaitText(again, "you › remember me\n");
        awaitText(again, "agent › " + tokens("remember me") + "\n");
        awaitText(again, "conversation " + thread);
        again.type("/thread");
        awaitText(again, "  thread " + thread);
        again.type("/quit");
        assertThat(again.exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void chat_withoutAServer_saysSoAndExitsNonZero() throws Exception {
        ChatCommand command = new ChatCommand();
        command.url = "http://127.0.0.1:9";
        command.strategy = "interrupt";
        ChatTranscript chat = new ChatTranscript(command);
        assertThat(chat.exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(chat.text()).contains("cannot reach the Switchboard server at http://127.0.0.1:9");
    }
}

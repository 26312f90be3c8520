package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import dev.switchboard.thread.ConversationState;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sending while the agent streams: each strategy as the page shows it, checked against the thread's state. */
class DoubleTextBrowserTest {
    private static final int TOKENS = 30;
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(TOKENS, 60), TestAgents.lanes(new Semaphore(0), 0)));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeTab() {
        if (tab != null) {
            List<String> problems = List.copyOf(tab.problems);
            tab.close();
            assertThat(problems).as("the page's own errors").isEmpty();
        }
    }

    private ChatPage open(int width, int height) {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.SCRIPTED, width, height);
        ChatPage chat = new ChatPage(tab.page);
        assertThat(chat.input()).isVisible();
        return chat;
    }

    private static String lastToken() {
        return " t" + (TOKENS - 1);
    }

    private UUID threadOf(ChatPage chat) {
        return UUID.fromString((String) chat.page.evaluate("localStorage.getItem('switchboard.thread')"));
    }

    private List<String> stateMessages(UUID thread) {
        JsonNode values = server.switchboard.state(thread, null).orElseThrow().values();
        return ConversationState.fromJson((com.fasterxml.jackson.databind.node.ObjectNode) values).messages().stream()
                .map(m -> m.type().wireName() + ": " + m.content()).toList();
    }

    @Test
    void doubleText_withInterrupt_strikesThroughTheCutAnswerAndAnswersTheNewMessage() {
        ChatPage chat = open(1280, 800);
        chat.strategy("interrupt");
        chat.send("first question");
        Locator streaming = chat.page.locator("#items > li.message.ai[data-state=streaming]");
        assertThat(streaming).containsText("reply to \"first question\": t1 t2 t3");

        chat.send("second question");

        Locator cut = chat.page.locator("#items > li.message.ai[data-state=interrupted]");
        assertThat(cut).containsText("reply to \"first question\"");
        assertThat(cut).containsText("Interrupted by a newer message");
        Locator answer = chat.answer("reply to \"second question\"");
        assertThat(answer).containsText(lastToken());
        assertThat(answer).hasAttribute("data-state", "final");
        assertThat(chat.messages()).hasCount(4);
        assertThat(chat.messages().nth(0)).containsText("first question");
        assertThat(chat.messages().nth(1)).hasAttribute("data-state", "interrupted");
        assertThat(chat.messages().nth(2)).containsText("second question");
        assertThat(chat.messages().nth(3)).containsText("reply to \"second question\"");
        tab.screenshot("double-text-interrupt");

        // The thread keeps the first question; only the unfinished answer is gone.
        assertThat(stateMessages(threadOf(chat))).containsExactly("human: first question", "human: second question",
                "ai: reply to \"second question\":" + tokens());
    }

    @Test
    void doubleText_withRollback_greysOutTheRolledBackTurnInsteadOfDroppingIt() {
        ChatPage chat = open(1280, 800);
        chat.strategy("rollback");
        chat.send("tell me about cats");
        assertThat(chat.page.locator("#items > li.message.ai[data-state=streaming]")).containsText("t2 t3");

        chat.send("no, dogs");

        Locator rolledBack = chat.page.locator("#items > li.message[data-state=rolled_back]");
        assertThat(rolledBack).hasCount(2);
        assertThat(rolledBack.nth(0)).containsText("tell me about cats");
        assertThat(rolledBack.nth(1)).containsText("reply to \"tell me about cats\"");
        assertThat(rolledBack.nth(1)).containsText("Rolled back");
        assertThat(chat.answer("reply to \"no, dogs\"")).containsText(lastToken());
        assertThat(chat.messages().nth(2)).containsText("no, dogs");
        tab.screenshot("double-text-rollback");

        // Rollback took the first turn out of the thread; the page still shows it, greyed.
        assertThat(stateMessages(threadOf(chat))).containsExactly("human: no, dogs",
                "ai: reply to \"no, dogs\":" + tokens());
        // And it survives a reload: the server no longer has it, the page remembers it.
        tab.page.reload();
        assertThat(chat.page.locator("#items > li.message[data-state=rolled_back]")).hasCount(2);
        assertThat(chat.answer("reply to \"no, dogs\"")).containsText(lastToken());
    }

    @Test
    void doubleText_withEnqueue_showsTheMessageQueuedThenAnswersBothInOrder() {
        ChatPage chat = open(1280, 800);
        assertThat(chat.page.locator("#strategy")).hasValue("enqueue");
        chat.send("one");
        assertThat(chat.page.locator("#items > li.message.ai[data-state=streaming]")).containsText("t2");
        chat.send("two");

        Locator queued = chat.question("two");
        assertThat(queued).hasAttribute("data-state", "queued");
        assertThat(queued).containsText("Queued");
        tab.screenshot("double-text-enqueue");
        assertThat(chat.answer("reply to \"two\"")).containsText(lastToken());
        assertThat(chat.messages()).hasCount(4);
        assertThat(chat.messages().nth(1)).containsText("reply to \"one\":" + tokens());
        assertThat(chat.messages().nth(3)).containsText("reply to \"two\":" + tokens());
    }

    @Test
    void doubleText_withReject_explainsTheRefusalAndGivesTheTextBack() {
        ChatPage chat = open(1280, 800);
        chat.strategy("reject");
        chat.send("busy now?");
        assertThat(chat.page.locator("#items > li.message.ai[data-state=streaming]")).containsText("t2");
        chat.send("this one is refused");

        assertThat(chat.notices()).containsText("Not sent");
        assertThat(chat.input()).hasValue("this one is refused");
        assertThat(chat.question("this one is refused")).hasCount(0);
        assertThat(chat.answer("reply to \"busy now?\"")).containsText(lastToken());
    }

    @Test
    void reload_whileAnAnswerStreams_continuesItWithoutLosingOrRepeatingATokenAndWithoutReplaying() {
        ChatPage chat = open(1280, 800);
        chat.send("keep going");
        Locator streaming = chat.page.locator("#items > li.message.ai[data-state=streaming]");
        assertThat(streaming).containsText(" t5");
        List<String> resumes = new java.util.concurrent.CopyOnWriteArrayList<>();
        chat.page.onRequest(request -> {
            if (request.url().matches(".*/runs/[0-9a-f-]{36}/stream.*")) {
                resumes.add(String.valueOf(request.headers().get("last-event-id")));
            }
        });

        chat.page.reload();

        assertThat(streaming).containsText(" t" + (TOKENS / 2));
        String midway = streaming.locator(".bubble").innerText();
        Matcher tokens = Pattern.compile(" t(\\d+)").matcher(midway);
        int expected = 1;
        while (tokens.find()) {
            assertThat(Integer.parseInt(tokens.group(1))).as(midway).isEqualTo(expected++);
        }
        assertThat(midway).startsWith("reply to \"keep going\": t1 t2 t3 t4 t5");
        assertThat(chat.answer("reply to \"keep going\"")).hasAttribute("data-state", "final");
        assertThat(chat.answer("reply to \"keep going\"")).containsText(lastToken());
        assertThat(chat.messages()).hasCount(2);
        // It resumed after the last frame it had (Last-Event-ID), so nothing was sent twice.
        assertThat(resumes).hasSize(1);
        assertThat(Integer.parseInt(resumes.getFirst())).isGreaterThan(5);
    }

    @Test
    void keyboard_enterSendsAndShiftEnterAddsALine() {
        ChatPage chat = open(1280, 800);
        chat.input().click();
        chat.page.keyboard().type("line one");
        chat.page.keyboard().press("Shift+Enter");
        chat.page.keyboard().type("line two");
        assertThat(chat.messages()).hasCount(0);
        chat.page.keyboard().press("Enter");

        assertThat(chat.question("line one")).hasCount(1);
        assertThat(chat.question("line one").locator(".bubble")).hasJSProperty("innerText", "line one\nline two");
        assertThat(chat.answer("line two")).containsText(lastToken());
        assertThat(chat.input()).hasValue("");
        assertThat(chat.input()).isFocused();
    }

    @Test
    void threads_newSwitchAndDelete() {
        ChatPage chat = open(1280, 800);
        chat.send("about apples");
        assertThat(chat.answer("reply to \"about apples\"")).containsText(lastToken());
        chat.page.getByLabel("New conversation", new com.microsoft.playwright.Page.GetByLabelOptions().setExact(true))
                .click();
        assertThat(chat.messages()).hasCount(0);
        chat.send("about pears");
        assertThat(chat.answer("reply to \"about pears\"")).containsText(lastToken());

        Locator apples = chat.threads().filter(new Locator.FilterOptions().setHasText("about apples"));
        Locator pears = chat.threads().filter(new Locator.FilterOptions().setHasText("about pears"));
        assertThat(pears).hasClass(Pattern.compile("current"));
        apples.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName(Pattern.compile("^Open conversation"))).click();
        assertThat(chat.answer("reply to \"about apples\"")).isVisible();
        assertThat(chat.page.locator("#thread-title")).hasText("about apples");
        tab.screenshot("threads");

        Locator delete = pears.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName(Pattern.compile("Delete conversation")));
        delete.click();
        pears.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName(Pattern.compile("^Confirm: delete"))).click();
        assertThat(pears).hasCount(0);
        assertThat(chat.notices()).containsText("Deleted");
        assertThat(apples).hasCount(1);
    }

    @Test
    void smallScreen_360pxWide_keepsEverythingReachable() {
        ChatPage chat = open(360, 740);
        chat.strategy("interrupt");
        chat.send("a question asked on a phone");
        assertThat(chat.page.locator("#items > li.message.ai[data-state=streaming]")).containsText("t2");
        chat.send("and a second thought");
        assertThat(chat.answer("reply to \"and a second thought\"")).containsText(lastToken());
        assertThat(chat.page.locator("#items > li.message[data-state=interrupted]")).hasCount(1);
        // Nothing is wider than the screen.
        Number scrollWidth = (Number) chat.page.evaluate("document.documentElement.scrollWidth");
        assertThat(scrollWidth.intValue()).isLessThanOrEqualTo(360);
        tab.screenshot("small-screen-360-chat");

        chat.page.getByLabel("Show conversations").click();
        // The drawer slides in; its transform is "none" once it is fully open.
        assertThat(chat.page.locator("#sidebar")).hasCSS("transform", "none");
        assertThat(chat.threads().first()).isInViewport();
        tab.screenshot("small-screen-360-threads");
    }

    private static String tokens() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < TOKENS; i++) {
            b.append(" t").append(i);
        }
        return b.toString();
    }
}

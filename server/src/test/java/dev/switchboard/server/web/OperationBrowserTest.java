package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.AriaRole;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Operation cards, driven by the lane graph: its long-running tool moves to its next step only when the test
 * releases a permit, so every state of the card is looked at on purpose, not raced.
 */
class OperationBrowserTest {
    private static final Semaphore GATE = new Semaphore(0);
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.lanes(GATE, 25), TestAgents.scripted(10, 20)));
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        GATE.release(1000);
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void closeTheGate() {
        GATE.drainPermits();
    }

    @AfterEach
    void closeTab() {
        GATE.release(1000);
        if (tab != null) {
            List<String> problems = List.copyOf(tab.problems);
            tab.close();
            assertThat(problems).as("the page's own errors").isEmpty();
        }
    }

    private ChatPage open(String query, int width, int height) {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.LANES + query, width, height);
        ChatPage chat = new ChatPage(tab.page);
        assertThat(chat.input()).isVisible();
        return chat;
    }

    private static Locator bar(Locator card) {
        return card.getByRole(AriaRole.PROGRESSBAR);
    }

    private static Locator cancelButton(Locator card) {
        return card.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName(Pattern.compile("^Cancel ")));
    }

    /** Starts the operation and waits for its card at its first step. */
    private static Locator startChange(ChatPage chat) {
        chat.send("please change my plan to max");
        Locator card = chat.cards().first();
        assertThat(card).containsText("Change plan");
        assertThat(card).hasAttribute("data-status", "running");
        assertThat(bar(card)).hasAttribute("aria-valuenow", "10");
        assertThat(card).containsText("checking eligibility");
        assertThat(cancelButton(card)).isVisible();
        return card;
    }

    @Test
    void operation_withQuestionsMeanwhile_showsLaneBadgesLiveProgressAndClosesWithTheSynthesis() {
        ChatPage chat = open("", 1280, 860);
        Locator card = startChange(chat);

        chat.send("what's my balance?");
        Locator balance = chat.answer("Done: 3.2 GB left");
        assertThat(balance).hasAttribute("data-lane", "secondary");
        assertThat(balance).containsText("secondary lane");
        assertThat(chat.question("what's my balance?")).hasAttribute("data-lane", "secondary");

        GATE.release(1);
        assertThat(bar(card)).hasAttribute("aria-valuenow", "40");
        assertThat(card).containsText("reserving on the network");
        chat.send("status?");
        Locator status = chat.answer("Status: running at 40% (reserving on the network)");
        assertThat(status).hasAttribute("data-lane", "secondary");
        assertThat(chat.page.locator("#thread-status")).containsText("Change plan · 40%");
        tab.screenshot("operation-in-progress");

        GATE.release(10);
        Locator synthesis = chat.answer("SYNTHESIS: change_plan succeeded");
        assertThat(synthesis).containsText("answered 'what's my balance?', 'status?'");
        assertThat(synthesis).containsText("Result: Change plan");
        assertThat(card).hasAttribute("data-status", "succeeded");
        assertThat(card).hasClass(Pattern.compile("closed"));
        assertThat(bar(card)).hasAttribute("aria-valuenow", "100");
        assertThat(cancelButton(card)).isHidden();
        // Card, then the exchange held meanwhile, then the answer that closes the card.
        List<String> order = chat.items().evaluateAll("items => items.map(i => i.dataset.role)").toString().lines()
                .toList();
        assertThat(order.getFirst()).isEqualTo("[human, operation, human, ai, human, ai, ai]");
        assertThat(chat.page.locator("#thread-status")).hasText("");
        tab.screenshot("operation-synthesis");

        String thread = (String) chat.page.evaluate("localStorage.getItem('switchboard.thread')");
        Chromium.Tab narrow = chromium.open(server.url() + "/?assistant=lanes&thread=" + thread, 360, 760);
        try {
            ChatPage phone = new ChatPage(narrow.page);
            assertThat(phone.answer("SYNTHESIS: change_plan succeeded")).isVisible();
            assertThat(phone.cards().first()).hasAttribute("data-status", "succeeded");
            Number scrollWidth = (Number) narrow.page.evaluate("document.documentElement.scrollWidth");
            assertThat(scrollWidth.intValue()).isLessThanOrEqualTo(360);
            narrow.screenshot("small-screen-360-operation");
            assertThat(narrow.problems).isEmpty();
        } finally {
            narrow.close();
        }
    }

    @Test
    void reload_midOperation_rejoinsTheRunWithLastEventIdAndShowsTheRest() {
        ChatPage chat = open("", 1280, 860);
        Locator card = startChange(chat);
        chat.send("what's my balance?");
        assertThat(chat.answer("Done: 3.2 GB left")).isVisible();
        String remembered = (String) chat.page.evaluate(
                "Object.keys(localStorage).filter(k => k.startsWith('switchboard.runs.')).map(k => localStorage.getItem(k)).join('')");
        assertThat(remembered).contains("\"lastEventId\":");

        List<String> resumes = new CopyOnWriteArrayList<>();
        chat.page.onRequest(request -> {
            if (request.method().equals("GET") && request.url().matches(".*/runs/[0-9a-f-]{36}/stream.*")) {
                resumes.add(String.valueOf(request.headers().get("last-event-id")));
            }
        });
        chat.page.reload();

        card = chat.cards().first();
        assertThat(card).hasAttribute("data-status", "running");
        assertThat(bar(card)).hasAttribute("aria-valuenow", "10");
        assertThat(cancelButton(card)).isVisible();
        assertThat(chat.question("please change my plan to max")).isVisible();
        assertThat(chat.answer("Done: 3.2 GB left")).hasAttribute("data-lane", "secondary");
        assertThat(chat.messages()).hasCount(3);

        GATE.release(1);
        assertThat(bar(card)).hasAttribute("aria-valuenow", "40");
        GATE.release(10);
        assertThat(chat.answer("SYNTHESIS: change_plan succeeded; answered 'what's my balance?'")).isVisible();
        assertThat(card).hasAttribute("data-status", "succeeded");
        tab.screenshot("reload-mid-operation");
        // The rejoin resumed after the last event the page had seen, not from the start.
        assertThat(resumes).isNotEmpty();
        assertThat(resumes.getFirst()).matches("\\d+");
        assertThat(chat.messages()).hasCount(4);
    }

    @Test
    void cancel_fromTheCardBeforeThePointOfNoReturn_cancelsTheOperationAndSaysSo() {
        ChatPage chat = open("", 1280, 860);
        Locator card = startChange(chat);

        cancelButton(card).click();
        // The cancel interrupts the step it waits in, so "Cancelling…" may already be over: no check on it.
        assertThat(cancelButton(card)).isHidden();
        GATE.release(1);

        assertThat(card).hasAttribute("data-status", "cancelled");
        assertThat(card).containsText("Cancelled before it changed anything");
        assertThat(card).not().containsText("Cancelling");
        assertThat(chat.answer("SYNTHESIS: change_plan cancelled")).isVisible();
        tab.screenshot("operation-cancelled");
    }

    @Test
    void cancel_pastThePointOfNoReturn_hidesTheButtonAndLetsTheOperationFinish() {
        ChatPage chat = open("", 1280, 860);
        Locator card = startChange(chat);
        GATE.release(2);
        assertThat(bar(card)).hasAttribute("aria-valuenow", "60");

        cancelButton(card).click();
        assertThat(cancelButton(card)).isHidden();
        assertThat(card).containsText("Past the point of no return");
        assertThat(chat.notices()).containsText("can no longer be cancelled");

        GATE.release(10);
        assertThat(card).hasAttribute("data-status", "succeeded");
        assertThat(chat.answer("SYNTHESIS: change_plan succeeded")).isVisible();
    }
}

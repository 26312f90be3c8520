package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Route;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What every page owes a person: readable errors, named controls, the server's defaults. */
class PageBasicsBrowserTest {
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(5, 10), TestAgents.lanes(new Semaphore(0), 0)));
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

    private ChatPage open() {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.SCRIPTED, 1280, 800);
        ChatPage chat = new ChatPage(tab.page);
        assertThat(chat.input()).isVisible();
        return chat;
    }

    @Test
    void errors_fromTheServerOrTheNetwork_becomeReadableNotices_andTheTextIsKept() {
        ChatPage chat = open();
        chat.page.route("**/runs/stream", route -> route.fulfill(new Route.FulfillOptions().setStatus(422)
                .setContentType("application/json")
                .setBody("{\"detail\":\"messages[0]: a message needs a type\",\"code\":\"invalid_message\"}")));
        chat.send("hello there");
        assertThat(chat.notices()).containsText("messages[0]: a message needs a type");
        assertThat(chat.input()).hasValue("hello there");
        assertThat(chat.messages()).hasCount(0);

        chat.page.unrouteAll();
        chat.page.route("**/runs/stream", Route::abort);
        chat.input().press("Enter");
        assertThat(chat.notices().last()).containsText("Can't reach the Switchboard server");
        tab.screenshot("error-notices");

        chat.page.unrouteAll();
        chat.input().press("Enter");
        assertThat(chat.answer("reply to \"hello there\": t1 t2 t3 t4")).isVisible();
        chat.page.getByLabel("Dismiss notice").first().click();
        assertThat(chat.notices()).hasCount(1);
        assertThat(chat.notices()).containsText("Can't reach the Switchboard server");
    }

    @Test
    void aMessageSent_beforeThePageHasOpenedItsConversation_isSentOnceItHas() {
        ChatPage chat = open();
        // The page opens its conversation after reading the server's defaults: hold that answer back.
        List<Route> held = new java.util.ArrayList<>();
        chat.page.route("**/openapi.json", held::add);
        chat.page.reload();
        assertThat(chat.input()).isVisible();
        chat.send("hello early");
        assertThat(chat.input()).hasValue("");
        chat.page.waitForCondition(() -> !held.isEmpty());
        held.forEach(Route::resume);
        chat.page.unrouteAll();

        assertThat(chat.answer("reply to \"hello early\": t1 t2 t3 t4")).isVisible();
        assertThat(chat.question("hello early")).hasCount(1);
        assertThat(chat.notices()).hasCount(0);
    }

    @Test
    void everyControl_hasAName_andTheStrategyDefaultsToTheServers() {
        ChatPage chat = open();
        Object unnamed = chat.page.evaluate("""
                [...document.querySelectorAll('button, select, textarea, input, [role=progressbar]')]
                  .filter(e => !(e.getAttribute('aria-label') || (e.labels && e.labels.length) || e.textContent.trim()))
                  .map(e => e.outerHTML)""");
        assertThat((List<?>) unnamed).isEmpty();
        // enqueue is what the server does when a client names no strategy (its OpenAPI document says so).
        assertThat(chat.page.locator("#strategy")).hasValue("enqueue");
        assertThat(chat.page.locator("#strategy option[value=enqueue]")).containsText("default");
        assertThat(chat.page.locator("#log")).hasAttribute("role", "log");
        assertThat(chat.page.locator("#notices")).hasAttribute("role", "alert");
        tab.screenshot("empty-conversation");
    }
}

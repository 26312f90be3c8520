package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.thread.ThreadQuery;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With sign-in on, the page asks for an API key or token before anything else, refuses a wrong one in words,
 * and once signed in works as usual, as that user; signing out asks again.
 */
class SignInBrowserTest {
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(3, 5), TestAgents.lanes(new Semaphore(0), 0)),
                "offline and scripted (tests)", s -> s.withApiKeys(ApiKeys.parse("key-of-alice:alice")));
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

    @Test
    void theSignInForm_refusesAWrongKey_acceptsTheRightOne_andTheConversationIsThatUsers() {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.SCRIPTED, 1280, 800);
        ChatPage chat = new ChatPage(tab.page);
        assertThat(chat.page.locator("#sign-in")).isVisible();
        assertThat(chat.input()).isHidden();

        chat.page.getByLabel("API key or token").fill("not-a-key");
        chat.page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new com.microsoft.playwright.Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(chat.page.locator("#sign-in-error")).hasText("That key or token was refused.");
        tab.screenshot("sign-in-refused");

        chat.page.getByLabel("API key or token").fill("key-of-alice");
        chat.page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new com.microsoft.playwright.Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(chat.input()).isVisible();
        assertThat(chat.page.locator("#sign-in")).isHidden();
        chat.send("hello there");
        assertThat(chat.answer("reply to \"hello there\": t1 t2")).isVisible();
        assertThat(server.switchboard.searchThreads(new ThreadQuery(null, null, null, null, 100, 0, null, false)))
                .singleElement().satisfies(t -> assertThat(t.owner()).isEqualTo("alice"));

        chat.page.locator("#sign-out").click();
        assertThat(chat.page.locator("#sign-in")).isVisible();
        assertThat(chat.input()).isHidden();
    }
}

package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.auth.ApiKeys;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With sign-in turned on, the bundled web UI asks for a key instead of showing a permanent error, and keeps it
 * for the tab; the address bar always names the open conversation.
 */
class SignInAndAddressBrowserTest {
    private static final String KEY = "test-key-for-alice";
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(5, 10), TestAgents.lanes(new Semaphore(0), 0)), "offline",
                ServerSettings.defaults().withPort(0).withApiKeys(ApiKeys.parse(KEY + ":alice")));
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

    private ChatPage signedIn() {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.SCRIPTED, 1280, 800);
        ChatPage chat = new ChatPage(tab.page);
        chat.page.getByLabel("API key or access token").fill(KEY);
        chat.page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new com.microsoft.playwright.Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(chat.page.locator("#sign-in")).isHidden();
        return chat;
    }

    @Test
    void authOn_thePageAsksForAKey_refusesAWrongOne_andChatsWithTheRightOne() {
        tab = chromium.open(server.url() + "/?assistant=" + TestAgents.SCRIPTED, 1280, 800);
        ChatPage chat = new ChatPage(tab.page);
        var dialog = chat.page.getByRole(com.microsoft.playwright.options.AriaRole.DIALOG);
        assertThat(dialog).isVisible();
        assertThat(dialog).containsText("API key or an access token");
        assertThat(chat.notices()).hasCount(0);
        tab.screenshot("sign-in");

        chat.page.getByLabel("API key or access token").fill("wrong-key");
        chat.page.getByLabel("API key or access token").press("Enter");
        assertThat(chat.page.locator("#sign-in-error")).containsText("not accepted");
        assertThat(dialog).isVisible();

        chat.page.getByLabel("API key or access token").fill(KEY);
        chat.page.getByLabel("API key or access token").press("Enter");
        assertThat(dialog).isHidden();
        chat.send("hello");
        assertThat(chat.answer("reply to \"hello\": t1 t2 t3 t4")).isVisible();
        assertThat(chat.notices()).hasCount(0);

        // The key lasts for the tab: a reload does not ask again.
        chat.page.reload();
        assertThat(chat.answer("reply to \"hello\": t1 t2 t3 t4")).isVisible();
        assertThat(dialog).isHidden();
    }

    @Test
    void signOut_forgetsTheKey_andAsksAgain() {
        ChatPage chat = signedIn();
        chat.page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
                new com.microsoft.playwright.Page.GetByRoleOptions().setName("Sign out")).click();
        assertThat(chat.page.getByRole(com.microsoft.playwright.options.AriaRole.DIALOG)).isVisible();
        Object stored = chat.page.evaluate("() => sessionStorage.getItem('switchboard.credential')");
        assertThat(stored).isNull();
    }

    @Test
    void theAddressBar_namesTheOpenConversation_andBackReturnsToThePreviousOne() {
        ChatPage chat = signedIn();
        chat.send("first conversation");
        assertThat(chat.answer("reply to \"first conversation\": t1 t2 t3 t4")).isVisible();
        String first = threadInAddressBar(chat);
        assertThat(first).isNotNull();

        chat.page.getByLabel("New conversation").click();
        String second = threadInAddressBar(chat);
        assertThat(second).isNotEqualTo(first);
        assertThat(chat.messages()).hasCount(0);

        chat.page.goBack();
        assertThat(chat.page).hasURL(Pattern.compile("thread=" + first));
        assertThat(chat.answer("reply to \"first conversation\": t1 t2 t3 t4")).isVisible();

        // The address opens the conversation in a new tab too (sign-in first: the key is per tab).
        String address = chat.page.url();
        tab.close();
        tab = chromium.open(address, 1280, 800);
        ChatPage other = new ChatPage(tab.page);
        other.page.getByLabel("API key or access token").fill(KEY);
        other.page.getByLabel("API key or access token").press("Enter");
        assertThat(other.answer("reply to \"first conversation\": t1 t2 t3 t4")).isVisible();
    }

    private static String threadInAddressBar(ChatPage chat) {
        assertThat(chat.page).hasURL(Pattern.compile("[?&]thread=[0-9a-f-]{36}"));
        var m = Pattern.compile("thread=([0-9a-f-]{36})").matcher(chat.page.url());
        return m.find() ? m.group(1) : null;
    }
}

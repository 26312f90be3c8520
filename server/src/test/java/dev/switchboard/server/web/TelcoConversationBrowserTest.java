package dev.switchboard.server.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.AriaRole;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole story in a browser, with the real telco agent and its offline model: a package change runs in the
 * background while the customer asks how far it is and how much data is left, the card's bar moves, and the
 * agent's one answer at the end covers it all. Operations run at 1/20 of their nominal time, and each step
 * also waits for a permit the test gives, so the questions land while the change is in flight.
 */
class TelcoConversationBrowserTest {
    private static final Semaphore GATE = new Semaphore(0);
    private static final InMemoryTelcoBackend BACKEND = new InMemoryTelcoBackend();
    private static UiServer server;
    private static Chromium chromium;
    private Chromium.Tab tab;

    @BeforeAll
    static void start() {
        TelcoSettings settings = new TelcoSettings(0.05, pause -> {
            GATE.acquire();
            TelcoSettings.Pacer.SLEEP.pause(pause);
        });
        OfflineTelcoModel model = new OfflineTelcoModel(Duration.ofMillis(8));
        server = new UiServer(List.of(TelcoAgent.graph(BACKEND, model, model, settings)), "offline");
        chromium = Chromium.launch();
    }

    @AfterAll
    static void stop() {
        GATE.release(10_000);
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeTab() {
        GATE.release(10_000);
        if (tab != null) {
            List<String> problems = List.copyOf(tab.problems);
            tab.close();
            assertThat(problems).as("the page's own errors").isEmpty();
        }
    }

    @Test
    void packageChange_withAStatusAndADataBalanceQuestionMeanwhile_endsInOneAnswerCoveringBoth() {
        // No ?assistant=: the page picks telco by itself.
        tab = chromium.open(server.url() + "/", 1280, 900);
        ChatPage chat = new ChatPage(tab.page);
        assertThat(chat.page.locator("#assistant")).hasValue("telco");

        chat.send("Change my package to premium");
        assertThat(chat.answer("Sure — I'm changing your package to Premium now.")).hasAttribute("data-state", "final");
        Locator card = chat.cards().first();
        assertThat(card).containsText("Change package");
        Locator bar = card.getByRole(AriaRole.PROGRESSBAR);
        assertThat(bar).hasAttribute("aria-valuenow", "10");
        assertThat(card).containsText("checking eligibility");
        assertThat(card.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel Change package")))
                .isVisible();

        GATE.release(1);
        assertThat(bar).hasAttribute("aria-valuenow", "30");
        assertThat(card).containsText("reserving the new package");

        chat.send("How far along is it?");
        Locator status = chat.answer("It's 30% done — reserving the new package.");
        assertThat(status).hasAttribute("data-lane", "secondary");
        assertThat(status).containsText("secondary lane");

        chat.send("What's my data balance?");
        Locator balance = chat.answer("of data left this month");
        assertThat(balance).hasAttribute("data-lane", "secondary");
        assertThat(chat.question("What's my data balance?")).hasAttribute("data-lane", "secondary");
        tab.screenshot("telco-operation-in-progress");

        GATE.release(1);
        assertThat(bar).hasAttribute("aria-valuenow", "60");
        assertThat(card).containsText("provisioning on the network");
        GATE.release(10);

        Locator synthesis = chat.answer("Done — you're now on the Premium package");
        assertThat(synthesis).containsText("While that was running, you asked:");
        assertThat(synthesis).containsText("“How far along is it?” — it has finished since: the result is above.");
        assertThat(synthesis).not().containsText("30% done");
        assertThat(synthesis).containsText("“What's my data balance?” — You have ");
        assertThat(synthesis).containsText("Result: Change package");
        assertThat(card).hasAttribute("data-status", "succeeded");
        assertThat(card).hasClass(Pattern.compile("closed"));
        assertThat(bar).hasAttribute("aria-valuenow", "100");
        assertThat(chat.page.locator("#thread-status")).hasText("");
        // The change went to this browser's own demo account, not to the shared demo customer.
        String visitor = (String) chat.page.evaluate("localStorage.getItem('switchboard.visitor')");
        String account = TelcoTools.accountOf("visitor:" + visitor);
        assertThat(BACKEND.subscription(account).mobilePackage().name()).isEqualTo("Premium");
        assertThat(BACKEND.subscription("demo").mobilePackage().name()).isEqualTo("Standard");
        tab.screenshot("telco-conversation");

        String thread = (String) chat.page.evaluate("localStorage.getItem('switchboard.thread')");
        Chromium.Tab phone = chromium.open(server.url() + "/?thread=" + thread, 360, 780);
        try {
            assertThat(new ChatPage(phone.page).answer("Done — you're now on the Premium package")).isVisible();
            Number width = (Number) phone.page.evaluate("document.documentElement.scrollWidth");
            assertThat(width.intValue()).isLessThanOrEqualTo(360);
            phone.screenshot("small-screen-360-telco");
            assertThat(phone.problems).isEmpty();
        } finally {
            phone.close();
        }
    }

    @Test
    void closeMyContract_showsTheApprovalCardWithTheFee_andApproveClosesIt() {
        tab = chromium.open(server.url() + "/", 1280, 900);
        ChatPage chat = new ChatPage(tab.page);
        chat.send("Close my contract");

        Locator card = chat.page.locator("#approval");
        assertThat(card).isVisible();
        assertThat(card).containsText("early termination fee of £");
        GATE.release(10_000);
        card.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve")).click();

        assertThat(card).isHidden();
        assertThat(chat.page.locator("#items")).containsText("Your contract is now closed",
                new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(20_000));
    }

    @Test
    void aPausedConversation_reloaded_showsTheCardAgain_andAPlainNoDeclines() {
        tab = chromium.open(server.url() + "/", 1280, 900);
        ChatPage chat = new ChatPage(tab.page);
        chat.send("Close my contract");
        assertThat(chat.page.locator("#approval")).isVisible();

        tab.page.reload();
        Locator card = chat.page.locator("#approval");
        assertThat(card).isVisible();
        assertThat(card).containsText("Close your contract");
        chat.send("no, wait");
        assertThat(card).isHidden();
        assertThat(chat.page.locator("#items")).containsText("no, wait");
    }
}

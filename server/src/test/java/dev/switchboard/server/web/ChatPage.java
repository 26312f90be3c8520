package dev.switchboard.server.web;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;

/** The chat page as a person uses it: by labels and roles, the way a screen reader would find things. */
final class ChatPage {
    final Page page;

    ChatPage(Page page) {
        this.page = page;
    }

    Locator input() {
        return page.getByRole(AriaRole.TEXTBOX, new Page.GetByRoleOptions().setName("Message").setExact(true));
    }

    /** Types and presses Enter, as a person would. */
    void send(String text) {
        input().fill(text);
        input().press("Enter");
    }

    void strategy(String wireName) {
        page.getByLabel("Double-text strategy", new Page.GetByLabelOptions().setExact(false)).selectOption(wireName);
    }

    Locator items() {
        return page.locator("#items > li");
    }

    Locator messages() {
        return page.locator("#items > li.message");
    }

    /** Agent messages whose text contains {@code text}. */
    Locator answer(String text) {
        return page.locator("#items > li.message.ai").filter(new Locator.FilterOptions().setHasText(text));
    }

    Locator question(String text) {
        return page.locator("#items > li.message.human").filter(new Locator.FilterOptions().setHasText(text));
    }

    Locator cards() {
        return page.locator("#items > li.card");
    }

    Locator notices() {
        return page.locator("#notices .notice");
    }

    Locator threads() {
        return page.locator("#thread-list > li");
    }
}

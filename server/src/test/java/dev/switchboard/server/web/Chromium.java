package dev.switchboard.server.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Debian's Chromium driven by Playwright. Playwright is told never to fetch a browser, and Chromium never to
 * touch the network beyond the loopback server under test.
 */
final class Chromium implements AutoCloseable {
    static final Path EXECUTABLE = Paths.get("/usr/bin/chromium");
    static final Path SCREENSHOTS = Paths.get("target", "screenshots");
    private static final List<String> ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    private final Playwright playwright;
    private final Browser browser;

    private Chromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /**
     * Launches Chromium. Where it is missing the browser tests are skipped on a developer's machine, but fail
     * in CI, whose script installs it.
     */
    static Chromium launch() {
        if (!Files.isExecutable(EXECUTABLE)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(EXECUTABLE + " is missing: .ci/run installs Debian's chromium package");
            }
            assumeTrue(false, "no " + EXECUTABLE + " (apt-get install chromium) — browser tests skipped");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(EXECUTABLE).setHeadless(true).setArgs(ARGS));
            return new Chromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A fresh browser profile (empty localStorage) with a window of the given size. */
    Tab open(String url, int width, int height) {
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height)
                .setDeviceScaleFactor(1));
        context.setDefaultTimeout(20_000);
        Page page = context.newPage();
        Tab tab = new Tab(context, page);
        page.navigate(url);
        return tab;
    }

    /** One page and what it complained about: uncaught errors and console errors of its own. */
    static final class Tab implements AutoCloseable {
        final BrowserContext context;
        final Page page;
        final List<String> problems = new CopyOnWriteArrayList<>();

        Tab(BrowserContext context, Page page) {
            this.context = context;
            this.page = page;
            page.onPageError(error -> problems.add("page error: " + error));
            page.onConsoleMessage(message -> {
                // The browser itself logs every non-2xx response (a reject's 409 is one); that is not the page's noise.
                if (message.type().equals("error") && !message.text().startsWith("Failed to load resource")) {
                    problems.add("console error: " + message.text());
                }
            });
        }

        void screenshot(String name) {
            try {
                Files.createDirectories(SCREENSHOTS);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")));
        }

        @Override
        public void close() {
            context.close();
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}

package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.server.web.TestAgents;
import dev.switchboard.server.web.UiServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard chat} in a real pseudo-terminal: a separate JVM inside tmux, typed into with send-keys and read
 * back with capture-pane, the way a person sees it. What is typed while an answer streams stays on the prompt
 * line, the sent line is echoed as {@code you › …}, the cut answer's marker is a line of its own, and the arrow
 * keys bring back earlier lines.
 */
class TerminalChatPtyTest {
    private static final int TOKENS = 40;
    private static final Path TMUX = Path.of("/usr/bin/tmux");
    private static final java.util.concurrent.Semaphore GATE = new java.util.concurrent.Semaphore(0);

    @TempDir
    Path dir;

    private UiServer server;
    private String socket;

    @BeforeEach
    void start() {
        if (!Files.isExecutable(TMUX)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(TMUX + " is missing: .ci/run installs Debian's tmux package");
            }
            assumeTrue(false, "no " + TMUX + " (apt-get install tmux) — terminal chat test skipped");
        }
        GATE.drainPermits();
        server = new UiServer(List.of(TestAgents.scripted(TOKENS, 60), TestAgents.lanes(GATE, 5)));
        socket = "switchboard-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void stop() throws Exception {
        if (socket != null) {
            tmux("kill-server");
        }
        GATE.release(1000);
        if (server != null) {
            server.close();
        }
    }

    /** Starts {@code switchboard chat} with {@code assistant} in a 110x40 pseudo-terminal. */
    private void startChat(String assistant) throws Exception {
        Path script = dir.resolve("chat.sh");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "exec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.switchboard.server.cli.Main chat --url "
                + server.url() + " --assistant " + assistant + "\n");
        tmux("new-session", "-d", "-x", "110", "-y", "40", "-e", "HOME=" + dir, "-e", "LANG=C.UTF-8",
                "bash " + script + "; echo '[chat exited]'; sleep 60");
        awaitScreen(s -> s.contains("new conversation") && lastLine(s).equals("you ›"));
    }

    @Test
    void anOperationsProgressLine_redrawsInPlaceAboveThePrompt_whileThePersonTypes() throws Exception {
        startChat(TestAgents.LANES);
        keys("please change my plan", "Enter");
        awaitScreen(s -> s.contains("⚙ change_plan [") && s.contains("10%"));
        keys("what's my bal");
        GATE.release(1);
        awaitScreen(s -> s.contains(" 40%"));
        String screen = screen();
        assertThat(screen.lines().filter(l -> l.contains("change_plan [")).toList()).as(screen).hasSize(1);
        assertThat(lastLine(screen)).as(screen).isEqualTo("you › what's my bal");

        keys("ance?", "Enter");
        awaitScreen(s -> s.contains("agent [secondary lane] › Done: 3.2 GB left"));
        GATE.release(10);
        awaitScreen(s -> s.contains("✔ change_plan [████████████████████] 100%  succeeded")
                && s.contains("agent › SYNTHESIS: change_plan succeeded") && lastLine(s).equals("you ›"));
        screen = screen();
        assertThat(screen.lines().filter(l -> l.contains("change_plan [")).toList()).as(screen).hasSize(1);
        keys("/quit", "Enter");
        awaitScreen(s -> s.contains("[chat exited]"));
    }

    @Test
    void typingWhileTheAgentAnswers_staysOnThePromptLine_andTheCutAnswerEndsWithAMarkerLine() throws Exception {
        startChat(TestAgents.SCRIPTED);

        keys("first", "Enter");
        awaitScreen(s -> s.contains("agent › reply to \"first\": t1 t2 t3 t4"));
        keys("second");
        // Tokens keep coming while the person types, and none of them lands on the prompt line.
        String before = screen();
        awaitScreen(s -> !s.equals(before) && s.contains(" t9"));
        String typing = screen();
        assertThat(lastLine(typing)).as(typing).isEqualTo("you › second");
        assertThat(typing.lines().filter(l -> l.contains("second")).toList()).as(typing).containsExactly("you › second");

        keys("Enter");
        awaitScreen(s -> s.contains("agent › reply to \"second\":") && s.contains(" t" + (TOKENS - 1))
                && lastLine(s).equals("you ›"));
        List<String> lines = screen().lines().map(String::stripTrailing).toList();
        int sent = lines.indexOf("you › second");
        assertThat(sent).as(String.join("\n", lines)).isPositive();
        assertThat(lines.subList(0, sent)).anyMatch(l -> l.startsWith("agent › reply to \"first\": t1 t2 t3"));
        // The cut answer's marker stands on a line of its own, after what was on screen when it was cut.
        assertThat(lines.subList(sent + 1, lines.size())).as(String.join("\n", lines))
                .anyMatch(l -> l.strip().equals("[interrupted]") || l.equals("agent › … [interrupted]"));
        assertThat(lines).noneMatch(l -> l.contains("[interrupted]") && l.contains(" t"));

        // History: the up arrow brings back the last line sent.
        keys("Up");
        awaitScreen(s -> lastLine(s).equals("you › second"));
        keys("C-u", "/quit", "Enter");
        awaitScreen(s -> s.contains("[chat exited]"));
    }

    private static String lastLine(String screen) {
        List<String> lines = screen.lines().map(String::stripTrailing).filter(l -> !l.isEmpty()).toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "0"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", "0");
    }

    private void awaitScreen(java.util.function.Predicate<String> condition) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(this::screen, condition::test);
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(TMUX.toString(), "-L", socket));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}

package dev.switchboard.server.cli;

import dev.switchboard.Switchboard;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code switchboard demo}: the telco agent with its offline model behind an in-process server on a free
 * port, and the seed's three scenarios replayed against it through the client the terminal chat uses,
 * printed as a transcript with timings. Nothing outside this process is touched: the telco backend and the
 * stores live in memory.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an in-process server (telco agent, offline model) on a free port, replay three "
                + "scenarios as a transcript with timings, and exit: a double-text with rollback; a long "
                + "operation with a status check; several questions while an operation runs.")
final class DemoCommand implements Callable<Integer> {
    static final String ROLLBACK = "1. Double-text with rollback";
    static final String STATUS = "2. Long operation with a status check";
    static final String SECONDARY = "3. Several questions while an operation runs";
    private static final Duration SCENARIO_LIMIT = Duration.ofSeconds(90);
    /** Slower than the model's default, so a person can watch the answers being written. */
    private static final Duration TOKEN_DELAY = Duration.ofMillis(25);
    // Held here because java.util.logging keeps loggers weakly: a level set on one nobody holds can be lost.
    private static final List<Logger> SERVER_LOGS = List.of(Logger.getLogger("io.javalin"),
            Logger.getLogger("org.eclipse.jetty"));

    @Option(names = "--time-scale", defaultValue = "0.5",
            description = "multiplies the telco operations' nominal durations (change_package 10 s; default "
                    + "${DEFAULT-VALUE}: 5 s)")
    double timeScale = 0.5;

    @Override
    public Integer call() {
        return run(System.out, System.out.charset());
    }

    int run(PrintStream out, Charset charset) {
        if (!(timeScale > 0 && timeScale <= 10)) {
            out.println("! --time-scale must be above 0 and at most 10");
            return 2;
        }
        AtomicLong started = new AtomicLong(System.nanoTime());
        ChatPrinter timed = new ChatPrinter(out, charset, () -> (System.nanoTime() - started.get()) / 1_000_000);
        ChatPrinter plain = new ChatPrinter(out, charset, null);
        // The transcript is the demo's output; the embedded server's start and stop lines would interleave with it.
        SERVER_LOGS.forEach(log -> log.setLevel(Level.WARNING));
        OfflineTelcoModel model = new OfflineTelcoModel(TOKEN_DELAY);
        try (Switchboard switchboard = Switchboard.builder()
                .graph(TelcoAgent.graph(new InMemoryTelcoBackend(), model, model, TelcoSettings.ofScale(timeScale)))
                .build();
                SwitchboardServer server = new SwitchboardServer(switchboard, ServerSettings.defaults().withPort(0),
                        "offline").start()) {
            AgentClient client = new AgentClient(URI.create(server.url()));
            plain.line("Switchboard demo · the telco agent (offline model) on an in-process server at " + server.url());
            plain.line("Operations run at " + timeScale + " × their nominal duration. Times are seconds since each "
                    + "scenario began.");
            Demo demo = new Demo(client, timed, started);
            boolean ok = demo.play(plain, ROLLBACK, demo::rollback)
                    & demo.play(plain, STATUS, demo::statusCheck)
                    & demo.play(plain, SECONDARY, demo::severalQuestions);
            plain.line("");
            plain.line(ok ? "Demo finished." : "! the demo did not finish every scenario");
            return ok ? 0 : 1;
        } catch (RuntimeException e) {
            plain.line("! the demo failed: " + e.getMessage());
            return 1;
        }
    }

    /** The scenarios, each on a new conversation; waits are on what the stream shows, never on the clock. */
    private record Demo(AgentClient client, ChatPrinter printer, AtomicLong started) {

        @FunctionalInterface
        interface Scenario {
            boolean play(ChatSession chat) throws Exception;
        }

        boolean play(ChatPrinter plain, String title, Scenario scenario) {
            plain.line("");
            plain.line("== " + title + " ==");
            started.set(System.nanoTime());
            ChatSession chat = new ChatSession(client, TelcoAgent.GRAPH_ID, UUID.randomUUID(), printer);
            try {
                boolean done = scenario.play(chat) && chat.await(ChatSession.View::idle, SCENARIO_LIMIT);
                if (!done) {
                    plain.line("! " + title + " did not finish within " + SCENARIO_LIMIT.toSeconds() + " s");
                }
                return done;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                plain.line("! " + title + " failed: " + e.getMessage());
                return false;
            } finally {
                chat.close();
            }
        }

        private UUID say(ChatSession chat, String text, String strategy, boolean carry, String note)
                throws InterruptedException {
            printer.line(chat.youPrefix("main") + text + (note.isEmpty() ? "" : "   (" + note + ")"));
            return chat.send(text, strategy, carry).runId()
                    .orElseThrow(() -> new IllegalStateException("the server refused: " + text));
        }

        /** A second message while the first answer streams replaces it; the first question is carried over. */
        boolean rollback(ChatSession chat) throws InterruptedException {
            UUID first = say(chat, "What packages do you offer?", "enqueue", false, "");
            if (!chat.await(v -> v.tokensOf(first) >= 8, SCENARIO_LIMIT)) {
                return false;
            }
            say(chat, "Actually, what's my data balance?", "rollback", true,
                    "sent while it answers: rollback, carrying the first question over");
            return true;
        }

        /** The package change runs in the background; a status question is answered on the secondary lane. */
        boolean statusCheck(ChatSession chat) throws InterruptedException {
            say(chat, "Change my package to premium", "enqueue", false, "");
            if (!chat.await(v -> v.anyOperationAt(30), SCENARIO_LIMIT)) {
                return false;
            }
            UUID status = say(chat, "How far along is it?", "enqueue", false, "asked while it runs");
            return chat.await(v -> !v.tokens().containsKey(status), SCENARIO_LIMIT);
        }

        /** Questions during a roaming-pass purchase; the synthesis answers every one of them. */
        boolean severalQuestions(ChatSession chat) throws InterruptedException {
            say(chat, "Buy a week pass for Spain", "enqueue", false, "");
            if (!chat.await(v -> v.anyOperationAt(10), SCENARIO_LIMIT)) {
                return false;
            }
            for (String question : List.of("What's my data balance?", "What package am I on?", "How far is it?")) {
                UUID asked = say(chat, question, "enqueue", false, "asked while it runs");
                if (!chat.await(v -> !v.tokens().containsKey(asked), SCENARIO_LIMIT)) {
                    return false;
                }
            }
            return true;
        }
    }
}

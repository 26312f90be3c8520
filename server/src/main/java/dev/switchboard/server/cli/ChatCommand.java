package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import dev.switchboard.server.auth.Authenticator;
import picocli.CommandLine.Option;

/**
 * {@code switchboard chat}: a conversation in the terminal. Each line is a message; answers stream token by
 * token, and a line typed while the agent answers is a double-text.
 *
 * <p>The default strategy is {@code interrupt}, not {@code rollback}: a terminal cannot take back what it
 * printed. Interrupt keeps the first question in the thread and marks the cut answer {@code [interrupted]},
 * so what is on the screen and what the agent remembers agree; rollback would delete a question that is
 * still on the screen. {@code --strategy} (or {@code /strategy}) picks another.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Chat with an agent in the terminal. Answers stream as they are written; type while the "
                + "agent answers to double-text. Commands: /help, /strategy <s>, /cancel, /thread, /quit.")
final class ChatCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "http://127.0.0.1:8123";
    private static final Duration DRAIN = Duration.ofMinutes(5);

    @Option(names = "--url", description = "the server (env SWITCHBOARD_URL; default " + DEFAULT_URL + ")")
    String url;

    @Option(names = "--thread", description = "continue this conversation (a thread id); default: a new one")
    UUID thread;

    @Option(names = "--assistant", description = "graph id or assistant id (default: telco when the server has it)")
    String assistant;

    @Option(names = "--strategy", defaultValue = "interrupt",
            description = "what a message sent while the agent answers does: interrupt (default), rollback, "
                    + "enqueue or reject")
    String strategy;

    @Override
    public Integer call() {
        Charset charset = System.out.charset();
        // Where nobody types (a pipe), the transcript shows each message it sent.
        boolean echo = System.console() == null;
        return run(System.in, System.out, charset, echo);
    }

    /** The whole session on the given streams: the terminal's, or a test's pipes. */
    int run(InputStream in, PrintStream out, Charset charset, boolean echo) {
        ChatPrinter printer = new ChatPrinter(out, charset, null);
        String base = url != null ? url : System.getenv().getOrDefault("SWITCHBOARD_URL", DEFAULT_URL);
        String chosen = strategy.toLowerCase(Locale.ROOT);
        if (!ChatSession.STRATEGIES.contains(chosen)) {
            printer.line("! unknown strategy '" + strategy + "'; choose one of interrupt, rollback, enqueue, reject");
            return 2;
        }
        AgentClient client = new AgentClient(URI.create(base))
                .withHeader(Authenticator.VISITOR_HEADER, Visitor.id(System.getenv()));
        ChatSession session;
        try {
            JsonNode info = client.get("/info");
            String graph = assistant != null ? assistant : pickAssistant(info);
            UUID threadId = thread != null ? thread : UUID.randomUUID();
            session = new ChatSession(client, graph, threadId, printer);
            printer.line("switchboard chat · " + client.base() + " · assistant " + graph + " · model "
                    + info.path("model").asText("?"));
            boolean exists = session.showHistory();
            printer.line((exists ? "conversation " : "new conversation ") + threadId
                    + " · while the agent answers, a new message will " + describe(chosen) + " · /help");
            if (exists) {
                session.rejoinActive();
            }
        } catch (IOException e) {
            printer.line("! " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            return loop(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), session, printer, chosen,
                    echo);
        } catch (IOException e) {
            printer.line("! " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            session.close();
        }
    }

    private int loop(BufferedReader in, ChatSession session, ChatPrinter printer, String startStrategy, boolean echo)
            throws IOException, InterruptedException {
        String current = startStrategy;
        String line;
        while ((line = in.readLine()) != null) {
            String text = line.strip();
            if (!echo) {
                printer.typedLine();
            }
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("/")) {
                List<String> words = new ArrayList<>(Arrays.asList(text.split("\\s+")));
                String command = words.removeFirst().toLowerCase(Locale.ROOT);
                switch (command) {
                    case "/quit", "/exit" -> {
                        return 0;
                    }
                    case "/help" -> help(printer);
                    case "/thread" -> printer.line("  thread " + session.threadId());
                    case "/cancel" -> session.cancelOperation();
                    case "/strategy" -> {
                        String s = words.isEmpty() ? "" : words.getFirst().toLowerCase(Locale.ROOT);
                        if (ChatSession.STRATEGIES.contains(s)) {
                            current = s;
                            printer.line("  a message sent while the agent answers will now " + describe(s));
                        } else {
                            printer.line("  strategies: interrupt, rollback, enqueue, reject (now: " + current + ")");
                        }
                    }
                    default -> printer.line("  unknown command " + command + "; /help lists them");
                }
                continue;
            }
            if (echo) {
                printer.line(session.youPrefix("main") + text);
            }
            session.send(text, current, false);
        }
        // End of input (a pipe ran dry): let what is still streaming finish before leaving.
        session.await(ChatSession.View::idle, DRAIN);
        return 0;
    }

    private static void help(ChatPrinter printer) {
        printer.line("  Enter sends. Typing while the agent answers sends a double-text.");
        printer.line("  /strategy interrupt|rollback|enqueue|reject   what such a message does");
        printer.line("  /cancel   cancel the running operation (before its point of no return)");
        printer.line("  /thread   show this conversation's id (switchboard chat --thread <id> continues it)");
        printer.line("  /quit     leave (runs in progress go on on the server)");
    }

    static String describe(String strategy) {
        return switch (strategy) {
            case "interrupt" -> "interrupt it";
            case "rollback" -> "roll it back";
            case "enqueue" -> "wait its turn";
            default -> "be refused";
        };
    }

    /** telco when the server hosts it, else the first graph it names. */
    static String pickAssistant(JsonNode info) {
        List<String> graphs = Arrays.stream(info.path("metadata").path("graphs").asText("").split(","))
                .map(String::strip).filter(g -> !g.isEmpty()).sorted().toList();
        if (graphs.contains("telco")) {
            return "telco";
        }
        return graphs.isEmpty() ? "telco" : graphs.getFirst();
    }
}

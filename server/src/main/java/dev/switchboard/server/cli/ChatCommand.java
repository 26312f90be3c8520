package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import dev.switchboard.server.auth.Authenticator;
import picocli.CommandLine.Option;

/**
 * {@code switchboard chat}: a conversation in the terminal. Each line is a message; answers stream token by
 * token, and a line typed while the agent answers is a double-text. In a real terminal the line being typed
 * stays below everything streamed ({@link TerminalChatOutput}, on JLine: history, editing); into a pipe the chat
 * writes a plain transcript.
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

    @Option(names = "--api-key", description = "the API key (or bearer token) when the server has sign-in on "
            + "(env SWITCHBOARD_API_KEY)")
    String apiKey;

    /** Where the chat reads lines from: the line editor in a terminal, or plain standard input. */
    private interface Lines {
        /** The next line, or null at the end of input. */
        String next() throws IOException;

        /** The line just read was sent or run: show it (a terminal erased it; a pipe never showed it). */
        void echo(String text);
    }

    @Override
    public Integer call() throws IOException {
        Charset charset = System.out.charset();
        Terminal terminal = interactiveTerminal();
        if (terminal == null) {
            // A pipe or a file: a plain transcript, each sent message shown, no redraws.
            return run(System.in, System.out, System.err, charset, true, false);
        }
        try (terminal) {
            boolean unicode = StandardCharsets.UTF_8.equals(terminal.encoding()) || charset.equals(StandardCharsets.UTF_8);
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("switchboard")
                    .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".switchboard_history"))
                    .option(LineReader.Option.ERASE_LINE_ON_FINISH, true)
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .option(LineReader.Option.HISTORY_IGNORE_DUPS, true)
                    .build();
            TerminalChatOutput output = new TerminalChatOutput(reader, unicode);
            Lines lines = new Lines() {
                @Override
                public String next() {
                    while (true) {
                        try {
                            return reader.readLine(output.prompt());
                        } catch (UserInterruptException e) {
                            // Ctrl-C on a line being typed clears it; on an empty line it leaves at once, as
                            // /quit does (what is running goes on on the server).
                            if (e.getPartialLine() == null || e.getPartialLine().isBlank()) {
                                return "/quit";
                            }
                        } catch (EndOfFileException e) {
                            return "/quit";
                        }
                    }
                }

                @Override
                public void echo(String text) {
                    output.sent(text);
                }
            };
            return session(output, lines, System.err::println);
        }
    }

    /**
     * The terminal to edit lines in, or null when this is not an interactive terminal (input or output
     * redirected): then the chat is a plain transcript.
     */
    private static Terminal interactiveTerminal() {
        try {
            Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build();
            if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
                terminal.close();
                return null;
            }
            return terminal;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The whole session on the given streams, a plain transcript: a pipe's, or a test's. */
    int run(InputStream in, PrintStream out, Charset charset, boolean echo) {
        return run(in, out, out, charset, echo, false);
    }

    private int run(InputStream in, PrintStream out, PrintStream err, Charset charset, boolean echo, boolean redraw) {
        ChatPrinter printer = new ChatPrinter(out, charset, null, redraw);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        Lines lines = new Lines() {
            @Override
            public String next() throws IOException {
                return reader.readLine();
            }

            @Override
            public void echo(String text) {
                if (echo) {
                    printer.line((printer.unicode() ? "you › " : "you > ") + text);
                }
            }
        };
        return session(printer, lines, err::println);
    }

    /** Connects, shows the conversation so far, then sends each line; start-up failures are one line on {@code err}. */
    private int session(ChatOutput printer, Lines lines, java.util.function.Consumer<String> err) {
        String base = url != null ? url : System.getenv().getOrDefault("SWITCHBOARD_URL", DEFAULT_URL);
        String chosen = strategy.toLowerCase(Locale.ROOT);
        if (!ChatSession.STRATEGIES.contains(chosen)) {
            err.accept("switchboard: unknown strategy '" + strategy
                    + "' — choose one of interrupt, rollback, enqueue, reject");
            return 2;
        }
        String key = apiKey != null ? apiKey : System.getenv("SWITCHBOARD_API_KEY");
        AgentClient client = new AgentClient(URI.create(base), key == null || key.isBlank() ? null : key.strip())
                .withHeader(Authenticator.VISITOR_HEADER, Visitor.id(System.getenv()));
        ChatSession session;
        try {
            JsonNode info = client.get("/info");
            String graph = assistant != null ? assistant : pickAssistant(info);
            UUID threadId = thread != null ? thread : UUID.randomUUID();
            session = new ChatSession(client, graph, threadId, printer);
            // Sign-in problems show before anything else is printed.
            client.post("/assistants/search", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("limit", 1));
            printer.line("switchboard chat · " + client.base() + " · assistant " + graph + " · model "
                    + info.path("model").asText("?"));
            boolean exists = session.showHistory();
            printer.line((exists ? "conversation " : "new conversation ") + threadId
                    + " · while the agent answers, a new message will " + describe(chosen) + " · /help");
            if (exists) {
                session.rejoinActive();
            }
        } catch (AgentClient.ApiFailure e) {
            err.accept(startupLine(e, client));
            return 1;
        } catch (IOException e) {
            err.accept("switchboard: " + e.getMessage() + " — check --url (or SWITCHBOARD_URL)");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        try {
            return loop(lines, session, printer, chosen);
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

    /** Why the chat could not start, in one line that says what to do. */
    private static String startupLine(AgentClient.ApiFailure e, AgentClient client) {
        if (e.status == 0) {
            return "switchboard: cannot reach the Switchboard server at " + client.base()
                    + " — start one with 'switchboard serve', or point --url (or SWITCHBOARD_URL) at it";
        }
        if (e.status == 401) {
            return client.hasCredential()
                    ? "switchboard: the server at " + client.base() + " did not accept that API key — check "
                            + "--api-key (or SWITCHBOARD_API_KEY)"
                    : "switchboard: the server at " + client.base() + " asks for an API key — pass --api-key <key> "
                            + "(or set SWITCHBOARD_API_KEY)";
        }
        if (e.status == 403) {
            return "switchboard: " + e.getMessage() + " — that conversation belongs to someone else; leave out "
                    + "--thread to start a new one";
        }
        return "switchboard: the server refused to start the chat: " + e.getMessage() + " — check --url, --thread "
                + "and --assistant";
    }

    private int loop(Lines lines, ChatSession session, ChatOutput printer, String startStrategy)
            throws IOException, InterruptedException {
        String current = startStrategy;
        String line;
        while ((line = lines.next()) != null) {
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            lines.echo(text);
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
            session.send(text, current, false);
        }
        // End of input (a pipe ran dry, Ctrl-D): let what is still streaming finish before leaving.
        session.await(ChatSession.View::idle, DRAIN);
        return 0;
    }

    private static void help(ChatOutput printer) {
        printer.line("  Enter sends. Typing while the agent answers sends a double-text. Up/Down: earlier lines.");
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

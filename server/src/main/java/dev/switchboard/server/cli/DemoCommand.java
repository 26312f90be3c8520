package dev.switchboard.server.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.testkit.ScriptedAgent;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;

/**
 * {@code switchboard demo}: an in-process server on a free port, and the seed's three scenarios replayed
 * against it through the same client the terminal chat uses, printed as a transcript with timings.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an in-process server on a free port, replay three scenarios (double-text with "
                + "rollback; a long operation with a status check; several questions while it runs) as a "
                + "transcript with timings, and exit.")
final class DemoCommand implements Callable<Integer> {
    static final String ROLLBACK = "1. Double-text with rollback";
    static final String STATUS = "2. Long operation with a status check";
    static final String SECONDARY = "3. Several questions while an operation runs";
    private static final Duration SCENARIO_LIMIT = Duration.ofSeconds(60);

    @Override
    public Integer call() {
        return run(System.out, System.out.charset());
    }

    int run(PrintStream out, Charset charset) {
        AtomicLong started = new AtomicLong(System.nanoTime());
        ChatPrinter printer = new ChatPrinter(out, charset, () -> (System.nanoTime() - started.get()) / 1_000_000);
        ChatPrinter plain = new ChatPrinter(out, charset, null);
        Semaphore gate = new Semaphore(0);
        try (Switchboard switchboard = Switchboard.builder().graph(ScriptedAgent.graph(24, 40, 0))
                .graph(lanes(gate)).secondaryWait(Duration.ofSeconds(5)).build();
                SwitchboardServer server = new SwitchboardServer(switchboard,
                        ServerSettings.defaults().withPort(0), "scripted (demo)").start()) {
            AgentClient client = new AgentClient(URI.create(server.url()));
            plain.line("Switchboard demo · an in-process server at " + server.url() + " · model: scripted");
            plain.line("Times are seconds since each scenario began.");
            boolean ok = true;

            ok &= scenario(plain, ROLLBACK, started, () -> {
                ChatSession chat = new ChatSession(client, ScriptedAgent.GRAPH_ID, UUID.randomUUID(), printer);
                printer.line(chat.youPrefix("main") + "Tell me about your plans");
                UUID first = chat.send("Tell me about your plans", "rollback", false).runId().orElseThrow();
                chat.await(v -> v.tokensOf(first) >= 6, SCENARIO_LIMIT);
                printer.line(chat.youPrefix("main") + "Actually, just the cheapest one   "
                        + "(sent while it answers: rollback, carrying the first question over)");
                chat.send("Actually, just the cheapest one", "rollback", true);
                return finish(chat);
            });

            ok &= scenario(plain, STATUS, started, () -> {
                gate.drainPermits();
                ChatSession chat = new ChatSession(client, "lanes", UUID.randomUUID(), printer);
                printer.line(chat.youPrefix("main") + "Please change my plan to Unlimited");
                chat.send("Please change my plan to Unlimited", "enqueue", false);
                chat.await(v -> v.anyOperationAt(10), SCENARIO_LIMIT);
                gate.release(1);
                chat.await(v -> v.anyOperationAt(40), SCENARIO_LIMIT);
                printer.line(chat.youPrefix("main") + "How far along is it?   (asked while it runs)");
                UUID status = chat.send("How far along is it?", "enqueue", false).runId().orElseThrow();
                chat.await(v -> !v.tokens().containsKey(status), SCENARIO_LIMIT);
                gate.release(100);
                return finish(chat);
            });

            ok &= scenario(plain, SECONDARY, started, () -> {
                gate.drainPermits();
                ChatSession chat = new ChatSession(client, "lanes", UUID.randomUUID(), printer);
                printer.line(chat.youPrefix("main") + "Change my plan to the family bundle");
                chat.send("Change my plan to the family bundle", "enqueue", false);
                chat.await(v -> v.anyOperationAt(10), SCENARIO_LIMIT);
                for (String question : List.of("What's my data balance?", "And what is the status now?")) {
                    printer.line(chat.youPrefix("main") + question + "   (asked while it runs)");
                    UUID asked = chat.send(question, "enqueue", false).runId().orElseThrow();
                    chat.await(v -> !v.tokens().containsKey(asked), SCENARIO_LIMIT);
                    gate.release(1);
                }
                gate.release(100);
                return finish(chat);
            });

            plain.line(ok ? "Demo finished." : "! the demo did not finish every scenario");
            return ok ? 0 : 1;
        } catch (RuntimeException e) {
            plain.line("! the demo failed: " + e.getMessage());
            return 1;
        } finally {
            gate.release(1000);
        }
    }

    /** One scenario's body; true when it ran to its end. */
    @FunctionalInterface
    private interface Scenario {
        boolean play() throws Exception;
    }

    private static boolean scenario(ChatPrinter plain, String title, AtomicLong started, Scenario body) {
        plain.line("");
        plain.line("== " + title + " ==");
        started.set(System.nanoTime());
        try {
            boolean done = body.play();
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
        }
    }

    private static boolean finish(ChatSession chat) throws InterruptedException {
        boolean done = chat.await(ChatSession.View::idle, SCENARIO_LIMIT);
        chat.close();
        return done;
    }

    /** A lane-aware scripted agent whose operation moves on when the demo lets it (fallback without telco). */
    private static AgentGraph lanes(Semaphore gate) {
        ScriptedLaneModel model = new ScriptedLaneModel(List.of(
                new String[] {"how far", OperationTools.CHECK_STATUS},
                new String[] {"status", OperationTools.CHECK_STATUS},
                new String[] {"balance", "get_data_balance"},
                new String[] {"change", "change_plan"}));
        ChatModel paced = (request, listener) -> model.chat(paced(request), listener);
        Tool balance = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("get_data_balance", "The data left this month.", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return "3.2 GB of 10 GB left";
            }
        };
        return new AgentGraph("lanes", "", c -> paced,
                List.of(new ScriptedOperationTool("change_plan", new RecordingBackend(), gate), balance), null, null,
                null);
    }

    private static ModelRequest paced(ModelRequest request) {
        ObjectNode configurable = request.configurable().deepCopy();
        configurable.put("delay_ms", 40);
        return new ModelRequest(request.messages(), request.tools(), configurable, request.purpose());
    }
}

package dev.switchboard.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.jdbc.Database;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;

/**
 * A real {@link SwitchboardServer} on a free port, with two graphs: {@code scripted} (the scripted model and the
 * slow tool; knobs per run in {@code config.configurable}) and {@code lanes} (a lane-aware scripted model with a
 * gated long-running tool {@value #CHANGE}, an ungated one {@value #CLOSE} and a quick {@code get_balance}).
 * Stores are in memory unless a {@link Database} is given.
 */
final class TestServer implements AutoCloseable {
    static final String CHANGE = "change_plan";
    static final String CLOSE = "close_account";

    final RecordingBackend backend = new RecordingBackend();
    /** Every step of {@value #CHANGE} after the first waits for a permit. */
    final Semaphore gate = new Semaphore(0);
    final Switchboard switchboard;
    final SwitchboardServer server;
    final Http http;

    private TestServer(UnaryOperator<ServerSettings> settings, Database database, AgentGraph scripted) {
        this(settings, database, scripted, null);
    }

    private TestServer(UnaryOperator<ServerSettings> settings, Database database, AgentGraph scripted,
            AgentGraph extra) {
        this(settings, database, scripted, extra, java.time.Clock.systemUTC());
    }

    private TestServer(UnaryOperator<ServerSettings> settings, Database database, AgentGraph scripted,
            AgentGraph extra, java.time.Clock clock) {
        this(settings, database, scripted, extra, clock, null);
    }

    private TestServer(UnaryOperator<ServerSettings> settings, Database database, AgentGraph scripted,
            AgentGraph extra, java.time.Clock clock, dev.switchboard.store.StoreIndex storeIndex) {
        this(settings, database, scripted, extra, clock, storeIndex, UnaryOperator.identity());
    }

    private TestServer(UnaryOperator<ServerSettings> settings, Database database, AgentGraph scripted,
            AgentGraph extra, java.time.Clock clock, dev.switchboard.store.StoreIndex storeIndex,
            UnaryOperator<Switchboard.Builder> tune) {
        Switchboard.Builder builder = Switchboard.builder().clock(clock).storeIndex(storeIndex).graph(scripted).graph(lanesGraph())
                .defaultGraph(ScriptedAgent.GRAPH_ID).secondaryWait(Duration.ofSeconds(10));
        if (extra != null) {
            builder.graph(extra);
        }
        if (database != null) {
            builder.threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                    .operationStore(database.operations()).itemStore(database.items())
                    .assistantStore(database.assistants());
        }
        this.switchboard = tune.apply(builder).build();
        this.server = new SwitchboardServer(switchboard, settings.apply(ServerSettings.defaults().withPort(0)), "test")
                .start();
        this.http = new Http(server.url());
    }

    static TestServer start() {
        return start(s -> s);
    }

    static TestServer start(UnaryOperator<ServerSettings> settings) {
        return new TestServer(settings, null, ScriptedAgent.graph(3, 1, 50));
    }

    /** With the real telco agent too (offline model, no token delay, operations at 1/100 of their time). */
    static TestServer startWithTelco(UnaryOperator<ServerSettings> settings, TelcoBackend telco) {
        OfflineTelcoModel model = new OfflineTelcoModel(Duration.ZERO);
        return new TestServer(settings, null, ScriptedAgent.graph(3, 1, 50),
                TelcoAgent.graph(telco, model, model, TelcoSettings.ofScale(0.01)));
    }

    /** With one more graph beside the scripted and lanes ones. */
    static TestServer startWithGraph(UnaryOperator<ServerSettings> settings, AgentGraph extra) {
        return new TestServer(settings, null, ScriptedAgent.graph(3, 1, 50), extra);
    }

    /** With the store's semantic index. */
    static TestServer startWithStoreIndex(UnaryOperator<ServerSettings> settings, dev.switchboard.store.StoreIndex index) {
        return new TestServer(settings, null, ScriptedAgent.graph(3, 1, 50), null, java.time.Clock.systemUTC(), index);
    }

    /** With {@code extra} as a third graph and the runtime's builder adjusted by {@code tune}. */
    static TestServer startWith(AgentGraph extra, UnaryOperator<Switchboard.Builder> tune) {
        return new TestServer(s -> s, null, ScriptedAgent.graph(3, 1, 50), extra, java.time.Clock.systemUTC(), null,
                tune);
    }

    /** On {@code clock} (a manual clock, for crons). */
    static TestServer startWithClock(UnaryOperator<ServerSettings> settings, java.time.Clock clock) {
        return new TestServer(settings, null, ScriptedAgent.graph(3, 1, 50), null, clock);
    }

    static TestServer start(UnaryOperator<ServerSettings> settings, Database database) {
        return new TestServer(settings, database, ScriptedAgent.graph(3, 1, 50));
    }

    /** On {@code database}, with the runtime's builder adjusted by {@code tune} (a short lease, say). */
    static TestServer start(Database database, UnaryOperator<Switchboard.Builder> tune) {
        return startOn(database, tune);
    }

    /** On {@code database}, with the runtime's builder adjusted by {@code tune} (instance id, lease, cluster). */
    static TestServer startOn(Database database, UnaryOperator<Switchboard.Builder> tune) {
        return new TestServer(s -> s, database, ScriptedAgent.graph(3, 1, 50), null, java.time.Clock.systemUTC(), null,
                tune);
    }

    /**
     * With the scripted model's defaults set, for callers that cannot pass knobs per run ({@code /api/agent/run}).
     */
    static TestServer startScripted(int tokens, int delayMs) {
        return new TestServer(s -> s.withHeartbeat(java.time.Duration.ofMillis(200)), null,
                ScriptedAgent.graph(tokens, delayMs, 50));
    }

    private AgentGraph lanesGraph() {
        ScriptedLaneModel model = new ScriptedLaneModel(List.of(
                new String[] {"cancel", OperationTools.CANCEL_OPERATION},
                new String[] {"how far", OperationTools.CHECK_STATUS},
                new String[] {"status", OperationTools.CHECK_STATUS},
                new String[] {"balance", "get_balance"},
                new String[] {"close my contract", CLOSE},
                new String[] {"change", CHANGE}));
        Tool balance = new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick("get_balance", "Data balance", null);
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return "3.2 GB left";
            }
        };
        return new AgentGraph("lanes", "You are the main lane.", c -> model,
                List.of(new ScriptedOperationTool(CHANGE, backend, gate), new ScriptedOperationTool(CLOSE, backend),
                        balance),
                "You are the secondary lane.", null, null);
    }

    /** A run body for the lanes graph. */
    static ObjectNode lanesRun(String text, Object... more) {
        ObjectNode body = Http.obj(more);
        body.put("assistant_id", "lanes");
        body.set("input", Http.humanInput(text));
        ObjectNode configurable = body.putObject("config").putObject("configurable");
        configurable.put("delay_ms", 0);
        configurable.put("step_ms", 1);
        return body;
    }

    /** Creates a thread over HTTP and answers its id. */
    String newThread() {
        return http.post("/threads", Http.obj()).json().path("thread_id").asText();
    }

    /** Blocks on {@code /join} until the run has ended; answers the run as {@code GET} shows it then. */
    JsonNode awaitRun(String threadId, String runId) {
        http.get("/threads/" + threadId + "/runs/" + runId + "/join");
        return http.get("/threads/" + threadId + "/runs/" + runId).json();
    }

    /** Lets the gated operation run to its end. */
    void release() {
        gate.release(1000);
    }

    @Override
    public void close() {
        release();
        server.close();
        switchboard.close();
    }
}

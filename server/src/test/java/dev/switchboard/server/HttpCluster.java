package dev.switchboard.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.jdbc.Database;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.testkit.RecordingBackend;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.testkit.ScriptedOperationTool;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Several Switchboard instances, each a real HTTP server on its own port, on one PostgreSQL schema and joined over
 * its {@code LISTEN}/{@code NOTIFY} channel, as a deployment behind a load balancer would be. They serve the
 * {@code lanes} graph: a lane-aware scripted model with an ungated long-running {@value #CHANGE}, a long-running
 * {@value #CLOSE} and a quick {@code get_balance}, all applying their changes to one shared
 * {@link RecordingBackend} (the outside system, which sees every instance). An observer {@link Database} reads the
 * stores directly, to check invariants no HTTP answer shows at one instant.
 *
 * <p>PostgreSQL is the one at {@code SWITCHBOARD_TEST_PG_URL} when set (an admin URL), else an embedded one
 * started once per JVM.
 */
final class HttpCluster implements AutoCloseable {
    static final String GRAPH = "lanes";
    static final String CHANGE = "change_plan";
    static final String CLOSE = "close_account";

    final RecordingBackend backend = new RecordingBackend();
    final List<Http> clients = new ArrayList<>();
    final Database observer;
    private final String schema;
    private final List<Database> databases = new ArrayList<>();
    private final List<Switchboard> switchboards = new ArrayList<>();
    private final List<SwitchboardServer> servers = new ArrayList<>();

    HttpCluster(String name, int size) {
        schema = "r2_" + UUID.randomUUID().toString().replace("-", "");
        Postgres.execute("CREATE SCHEMA " + schema);
        String url = Postgres.url("currentSchema=" + schema);
        for (int i = 0; i < size; i++) {
            Database database = Database.open(url, Clock.systemUTC());
            databases.add(database);
            Switchboard switchboard = Switchboard.builder().instanceId(name + "-" + i).cluster(database::cluster)
                    .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                    .operationStore(database.operations()).itemStore(database.items())
                    .assistantStore(database.assistants()).graph(lanesGraph()).defaultGraph(GRAPH)
                    .secondaryWait(Duration.ofSeconds(10)).build();
            switchboards.add(switchboard);
            SwitchboardServer server = new SwitchboardServer(switchboard,
                    ServerSettings.defaults().withPort(0).withHeartbeat(Duration.ofMillis(500)), "test").start();
            servers.add(server);
            clients.add(new Http(server.url()));
        }
        observer = Database.open(url, Clock.systemUTC());
    }

    private AgentGraph lanesGraph() {
        // One model per instance, as each server process would have its own.
        ScriptedLaneModel model = new ScriptedLaneModel(List.of(
                new String[] {"cancel", OperationTools.CANCEL_OPERATION},
                new String[] {"how far", OperationTools.CHECK_STATUS},
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
        return new AgentGraph(GRAPH, "You are the main lane.", c -> model,
                List.of(new ScriptedOperationTool(CHANGE, backend), new ScriptedOperationTool(CLOSE, backend), balance),
                "You are the secondary lane.", null, null);
    }

    @Override
    public void close() {
        servers.forEach(SwitchboardServer::close);
        switchboards.forEach(Switchboard::close);
        databases.forEach(Database::close);
        observer.close();
        Postgres.execute("DROP SCHEMA " + schema + " CASCADE");
    }

    /** The PostgreSQL server of this JVM's HTTP fault tests. */
    static final class Postgres {
        private static final ReentrantLock LOCK = new ReentrantLock();
        private static String adminUrl;

        private Postgres() {
        }

        static String url(String parameter) {
            String base = adminUrl();
            return base + (base.contains("?") ? "&" : "?") + parameter;
        }

        static void execute(String sql) {
            try (Connection c = DriverManager.getConnection(adminUrl()); Statement st = c.createStatement()) {
                st.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + ": " + e.getMessage(), e);
            }
        }

        private static String adminUrl() {
            LOCK.lock();
            try {
                if (adminUrl == null) {
                    String given = System.getenv("SWITCHBOARD_TEST_PG_URL");
                    adminUrl = given != null && !given.isBlank() ? given.strip() : startEmbedded();
                }
                return adminUrl;
            } finally {
                LOCK.unlock();
            }
        }

        private static String startEmbedded() {
            try {
                // Tests need no durability from the server, and the disk is shared with other builds.
                EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off").setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "300").setRegisterShutdownHook(true).start();
                return pg.getJdbcUrl("postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
        }
    }
}

package dev.switchboard.jdbc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.operation.Operation;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.store.Namespace;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;

/**
 * The server process that {@link ProcessCrashTest} kills: a runtime on a database (a SQLite file, or a schema of
 * the PostgreSQL the test runs) whose one long-running,
 * side-effecting tool ({@code change_plan}) applies its change through {@link FileBackend}, a fake backend in a
 * second SQLite file that honours idempotency keys and counts every request and application, so the count
 * survives a kill -9. The process says on stdout what it did and where it stopped; at a chosen point it stops
 * and waits to be killed, so the kill is deterministic.
 *
 * <pre>
 *   java CrashChild &lt;database url&gt; &lt;backend file&gt; &lt;instance id&gt; &lt;lease ms&gt; &lt;pause&gt; &lt;idempotent&gt; &lt;command&gt; [thread]
 *     command begin    an acknowledged exchange ("ACKED thread run"), then the operation's run ("RUN id");
 *                      stops at the pause point ("AT point")
 *     command begin-for-alice-then-rollback  the operation's run for user alice, stopped at the pause point, then a
 *                      rollback double-text that deletes that run ("ROLLED thread"); waits
 *     command recover  starts (crash recovery runs at start) and waits until the thread is answered and idle
 *                      ("RECOVERED"), then shuts down cleanly
 *     command idle     a few acknowledged exchanges on two threads and a store item ("IDLE t1 t2"), then waits
 * </pre>
 */
public final class CrashChild {
    /** Where the first life stops and waits for its kill. */
    enum Pause {
        /** progress 10 stored; the backend not called yet */
        BEFORE_BACKEND,
        /** progress 60 stored: past the point of no return, the backend not called yet */
        MID_PROGRESS,
        /** the backend applied the change; the operation's result not stored yet */
        AFTER_APPLY,
        /** the operation's result stored, its tool result written; the answer (synthesis) not written yet */
        AFTER_RESULT,
        NONE
    }

    static final String GRAPH = "crashy";
    static final String TOOL = "change_plan";
    static final String ASK = "please change my plan to gold";
    static final int POINT_OF_NO_RETURN = 60;

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        FileBackend backend = new FileBackend(args[1]);
        String instanceId = args[2];
        Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
        Pause pause = Pause.valueOf(args[4]);
        boolean idempotent = Boolean.parseBoolean(args[5]);
        String command = args[6];
        Database db = Database.open(url);
        Switchboard switchboard = Switchboard.builder()
                .graph(graph(backend, pause, idempotent))
                .instanceId(instanceId)
                .lease(lease)
                // As the server wires it: the LISTEN/NOTIFY channel on PostgreSQL, local on SQLite.
                .cluster(db::cluster)
                .threadStore(db.threads()).runStore(db.runs()).checkpointStore(db.checkpoints())
                .operationStore(db.operations()).itemStore(db.items()).assistantStore(db.assistants())
                .build();
        switch (command) {
            case "begin" -> {
                UUID thread = switchboard.createThread(null, null, false).threadId();
                Run hello = acknowledged(switchboard, thread, "hello");
                say("ACKED " + thread + " " + hello.runId());
                Run run = switchboard.submit(request(thread, ASK));
                say("RUN " + run.runId());
                Thread.sleep(Long.MAX_VALUE);
            }
            case "begin-for-alice-then-rollback" -> {
                UUID thread = switchboard.createThread(null, null, false).threadId();
                RunRequest ask = request(thread, ASK).withConfigurable("user_id",
                        com.fasterxml.jackson.databind.node.TextNode.valueOf("alice"));
                Run run = switchboard.submit(ask);
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> !db.operations().listByThread(thread).isEmpty());
                ObjectNode input = Json.object();
                input.putArray("messages").addObject().put("type", "human").put("content", "actually, hello");
                input.put("thread_type", "main");
                Run rollback = switchboard.submit(RunRequest.of(thread, GRAPH, input)
                        .withStrategy(MultitaskStrategy.ROLLBACK).withConfig(request(thread, "x").config()));
                switchboard.await(rollback.runId(), Duration.ofSeconds(60)).orElseThrow();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> db.runs().get(run.runId()).isEmpty());
                say("ROLLED " + thread + " " + run.runId());
                Thread.sleep(Long.MAX_VALUE);
            }
            case "recover" -> {
                UUID thread = UUID.fromString(args[7]);
                // Waits for what recovery promises (the thread answered and free), then says so.
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> answered(switchboard, db, thread));
                say("RECOVERED");
                switchboard.close();
                db.close();
                System.exit(0);
            }
            case "idle" -> {
                UUID first = switchboard.createThread(null, (ObjectNode) Json.parse("{\"owner\":\"ada\"}"), false)
                        .threadId();
                UUID second = switchboard.createThread(null, null, false).threadId();
                acknowledged(switchboard, first, "hello");
                acknowledged(switchboard, second, ASK);
                acknowledged(switchboard, first, "how are you");
                switchboard.store().put(new Namespace(List.of("users", "ada")), "profile",
                        (ObjectNode) Json.parse("{\"plan\":\"gold\",\"since\":2026}"), null);
                say("IDLE " + first + " " + second);
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
    }

    private static boolean answered(Switchboard switchboard, Database db, UUID thread) {
        return db.operations().listByThread(thread).stream().allMatch(Operation::reported)
                && db.runs().active(thread, Lane.MAIN).isEmpty()
                && switchboard.thread(thread).status() == ThreadStatus.IDLE;
    }

    /** A run the client saw end successfully: from here on, what it wrote must survive anything. */
    private static Run acknowledged(Switchboard switchboard, UUID thread, String text) throws Exception {
        Run run = switchboard.submit(request(thread, text));
        Run ended = switchboard.await(run.runId(), Duration.ofSeconds(60)).orElseThrow();
        if (ended.status() != RunStatus.SUCCESS) {
            throw new IllegalStateException("run " + run.runId() + " ended " + ended.status());
        }
        return ended;
    }

    static RunRequest request(UUID thread, String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("delay_ms", 0);
        return RunRequest.of(thread, GRAPH, input).withStrategy(MultitaskStrategy.ENQUEUE).withConfig(config);
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static AgentGraph graph(FileBackend backend, Pause pause, boolean idempotent) {
        ScriptedLaneModel scripted = new ScriptedLaneModel(List.<String[]>of(new String[] {"change", TOOL}));
        ChatModel model = (request, listener) -> {
            if (request.purpose() == ModelRequest.Purpose.SYNTHESIS) {
                pauseAt(pause, Pause.AFTER_RESULT);
            }
            return scripted.chat(request, listener);
        };
        return new AgentGraph(GRAPH, "You change plans.", c -> model, List.of(new ChangePlan(backend, pause, idempotent)),
                null, null, null);
    }

    private static void pauseAt(Pause chosen, Pause here) throws InterruptedException {
        if (chosen == here) {
            say("AT " + here);
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Reports progress in steps, applies its change through the backend after its point of no return. */
    private record ChangePlan(FileBackend backend, Pause pause, boolean idempotent) implements Tool {
        @Override
        public ToolSpec spec() {
            ObjectNode params = ToolSpec.emptySchema();
            params.with("properties").putObject("target").put("type", "string");
            return new ToolSpec(TOOL, "Changes the customer's plan.", params, ToolKind.LONG_RUNNING,
                    Duration.ofSeconds(10), true, idempotent, POINT_OF_NO_RETURN);
        }

        @Override
        public String call(ObjectNode arguments, ToolContext context) throws Exception {
            String target = arguments.path("target").asText();
            context.progress(10, "checking eligibility");
            pauseAt(pause, Pause.BEFORE_BACKEND);
            context.progress(40, "reserving on the network");
            context.progress(POINT_OF_NO_RETURN, "provisioning on the network");
            pauseAt(pause, Pause.MID_PROGRESS);
            // The change names the user it was made for, so a test can tell whose account it went to.
            backend.apply(context.idempotencyKey(), TOOL + ":" + target + ":"
                    + context.configurable().path("user_id").asText("nobody"));
            pauseAt(pause, Pause.AFTER_APPLY);
            context.progress(90, "updating billing");
            return TOOL + " done: " + target;
        }
    }

    /**
     * A fake side-effecting backend in its own SQLite file: every request is recorded, and a change is applied
     * once per idempotency key, as a real backend honouring the keys would. Each call is one committed
     * transaction, so what it recorded survives the process being killed right after.
     */
    static final class FileBackend {
        private final String url;

        FileBackend(String file) throws SQLException {
            this.url = "jdbc:sqlite:" + file;
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 10000");
                st.execute("CREATE TABLE IF NOT EXISTS requests (idempotency_key TEXT NOT NULL, change TEXT NOT NULL)");
                st.execute("CREATE TABLE IF NOT EXISTS applied (idempotency_key TEXT PRIMARY KEY, change TEXT NOT NULL)");
            }
        }

        void apply(String key, String change) throws SQLException {
            try (Connection c = DriverManager.getConnection(url)) {
                try (Statement st = c.createStatement()) {
                    st.execute("PRAGMA busy_timeout = 10000");
                }
                c.setAutoCommit(false);
                try (PreparedStatement request = c.prepareStatement("INSERT INTO requests VALUES (?, ?)");
                        PreparedStatement apply = c.prepareStatement("INSERT OR IGNORE INTO applied VALUES (?, ?)")) {
                    request.setString(1, key);
                    request.setString(2, change);
                    request.executeUpdate();
                    apply.setString(1, key);
                    apply.setString(2, change);
                    apply.executeUpdate();
                }
                c.commit();
            }
        }

        /** The change applied under {@code key}, or null. */
        String change(String key) throws SQLException {
            try (Connection c = DriverManager.getConnection(url);
                    PreparedStatement st = c.prepareStatement("SELECT change FROM applied WHERE idempotency_key = ?")) {
                st.setString(1, key);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }

        int requests(String key) throws SQLException {
            return count("SELECT COUNT(*) FROM requests WHERE idempotency_key = ?", key);
        }

        /** Applications under every key: a retry under a new key would show here as a second one. */
        int appliedInAll() throws SQLException {
            return count("SELECT COUNT(*) FROM applied", null);
        }

        int applied(String key) throws SQLException {
            return count("SELECT COUNT(*) FROM applied WHERE idempotency_key = ?", key);
        }

        private int count(String sql, String key) throws SQLException {
            try (Connection c = DriverManager.getConnection(url); PreparedStatement st = c.prepareStatement(sql)) {
                if (key != null) {
                    st.setString(1, key);
                }
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    }
}

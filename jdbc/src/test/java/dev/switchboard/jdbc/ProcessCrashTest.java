package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.jdbc.CrashChild.FileBackend;
import dev.switchboard.jdbc.CrashChild.Pause;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.run.Lane;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.store.Item;
import dev.switchboard.store.Namespace;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md §3 item 4 and §5 with a real crash: the runtime runs in a child JVM on a SQLite file (or, for R1,
 * also on the embedded PostgreSQL this JVM runs), is killed
 * with SIGKILL ({@link Process#destroyForcibly}) at a chosen point of a side-effecting operation, where the
 * child waits for its kill so the point is exact, and a new child is started on the same file. The fake
 * backend counts requests and applications per idempotency key in its own SQLite file, so the count outlives
 * the process it was made in.
 */
class ProcessCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final AtomicInteger CHILDREN = new AtomicInteger();

    @TempDir
    Path dir;

    /** Where the first child dies, how the second one starts, and what must stand afterwards. */
    record KillCase(Pause pause, boolean sameInstanceId, boolean idempotent, OperationStatus end, int applied) {
        @Override
        public String toString() {
            return "killed " + pause.name().toLowerCase() + ", " + (idempotent ? "idempotent" : "not idempotent")
                    + " tool, restarted as " + (sameInstanceId ? "the same instance" : "another instance after the lease");
        }
    }

    static Stream<KillCase> killCases() {
        return Stream.of(
                new KillCase(Pause.BEFORE_BACKEND, true, true, OperationStatus.SUCCEEDED, 1),
                new KillCase(Pause.MID_PROGRESS, true, true, OperationStatus.SUCCEEDED, 1),
                new KillCase(Pause.AFTER_APPLY, true, true, OperationStatus.SUCCEEDED, 1),
                new KillCase(Pause.AFTER_RESULT, true, true, OperationStatus.SUCCEEDED, 1),
                new KillCase(Pause.MID_PROGRESS, false, true, OperationStatus.SUCCEEDED, 1),
                new KillCase(Pause.MID_PROGRESS, true, false, OperationStatus.FAILED, 0),
                new KillCase(Pause.AFTER_APPLY, true, false, OperationStatus.FAILED, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("killCases")
    void killedDuringAnOperation_restartedChild_appliesAtMostOnceEndsItAndAnswers(KillCase kill) throws Exception {
        killAndRecover(kill, dir);
    }

    /**
     * R1 of the fault suite (docs/reliability.md) on SQLite: trials drawn from a seed over every kill point and
     * restart kind above, each in a fresh directory; 3 trials in CI, 100 with {@code -Dswitchboard.faults.full=true}.
     */
    @Tag("faults")
    @Test
    void r1_killedAtRandomPointsOfSideEffectingOperations_appliesAtMostOnceAndAnswersEveryThread() throws Exception {
        r1(TestDatabase.Engine.SQLITE, 3);
    }

    /**
     * R1 on PostgreSQL: the same trials, the children connecting to the embedded PostgreSQL this test JVM
     * started (so the database outlives every child it kills), each trial in a schema of its own.
     */
    @Tag("faults")
    @Test
    void r1OnPostgresql_killedAtRandomPointsOfSideEffectingOperations_appliesAtMostOnceAndAnswersEveryThread()
            throws Exception {
        r1(TestDatabase.Engine.POSTGRESQL, 3);
    }

    private void r1(TestDatabase.Engine engine, int ciTrials) throws Exception {
        long seed = Long.getLong("switchboard.faults.seed", System.nanoTime());
        int trials = Boolean.getBoolean("switchboard.faults.full") ? 100 : ciTrials;
        String name = "R1 " + engine.name().toLowerCase();
        Random random = new Random(seed);
        List<KillCase> cases = killCases().toList();
        Map<String, Integer> perCase = new TreeMap<>();
        long start = System.nanoTime();
        for (int trial = 0; trial < trials; trial++) {
            KillCase kill = cases.get(random.nextInt(cases.size()));
            Path trialDir = Files.createDirectories(dir.resolve("trial-" + trial));
            String schema = null;
            try {
                String url;
                if (engine == TestDatabase.Engine.SQLITE) {
                    url = "jdbc:sqlite:" + trialDir.resolve("switchboard.db");
                } else {
                    schema = "r1_" + UUID.randomUUID().toString().replace("-", "");
                    TestDatabase.SharedPostgres.execute("CREATE SCHEMA " + schema);
                    url = TestDatabase.SharedPostgres.url("currentSchema=" + schema);
                }
                killAndRecover(kill, trialDir, url);
            } catch (AssertionError | Exception e) {
                throw new AssertionError(name + " seed " + seed + ", trial " + trial + " (" + kill + ") failed", e);
            } finally {
                if (schema != null) {
                    TestDatabase.SharedPostgres.execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
            perCase.merge(kill.toString(), 1, Integer::sum);
        }
        System.out.printf("%s seed %d: %d trials in %.1f s %s%n", name, seed, trials,
                (System.nanoTime() - start) / 1e9, perCase);
    }

    private void killAndRecover(KillCase kill, Path dir) throws Exception {
        killAndRecover(kill, dir, "jdbc:sqlite:" + dir.resolve("switchboard.db"));
    }

    private void killAndRecover(KillCase kill, Path dir, String url) throws Exception {
        String backendFile = dir.resolve("backend.db").toString();
        // A restart under the same id recovers at once; another instance waits out the dead one's lease.
        long leaseMs = kill.sameInstanceId() ? 30_000 : 1_500;
        UUID thread;
        UUID runId;
        UUID acknowledgedRun;
        List<Checkpoint> acknowledgedHistory;
        Run acknowledged;
        try (Child first = child(url, backendFile, "child-1", leaseMs, kill.pause(), kill.idempotent(), "begin")) {
            String[] ack = first.awaitLine("ACKED ").split(" ");
            thread = UUID.fromString(ack[1]);
            acknowledgedRun = UUID.fromString(ack[2]);
            runId = UUID.fromString(first.awaitLine("RUN ").split(" ")[1]);
            first.awaitLine("AT " + kill.pause());
            try (Database db = Database.open(url)) {
                acknowledgedHistory = checkpointsOfRun(db, thread, acknowledgedRun);
                acknowledged = db.runs().get(acknowledgedRun).orElseThrow();
                Operation inFlight = db.operations().listByThread(thread).getFirst();
                assertThat(inFlight.status()).as("set-up").isEqualTo(kill.pause() == Pause.AFTER_RESULT
                        ? OperationStatus.SUCCEEDED : OperationStatus.RUNNING);
            }
            first.kill();
        }

        try (Child second = child(url, backendFile, kill.sameInstanceId() ? "child-1" : "child-2", leaseMs, Pause.NONE,
                kill.idempotent(), "recover", thread.toString())) {
            second.awaitLine("RECOVERED");
            assertThat(second.awaitExit()).isZero();
        }

        FileBackend backend = new FileBackend(backendFile);
        try (Database db = Database.open(url)) {
            List<Operation> ops = db.operations().listByThread(thread);
            assertThat(ops).hasSize(1);
            Operation op = ops.getFirst();
            assertThat(op.status()).isEqualTo(kill.end());
            assertThat(op.reported()).isTrue();
            if (kill.end() == OperationStatus.FAILED) {
                assertThat(op.error()).contains("the server stopped while it ran", "not safe to retry");
            }
            assertThat(backend.appliedInAll()).as("applied at most once, under the operation's own key")
                    .isEqualTo(kill.applied());
            assertThat(backend.applied(op.idempotencyKey())).isEqualTo(kill.applied());

            assertThat(db.runs().get(runId)).get().extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
            assertThat(db.runs().active(thread, Lane.MAIN)).isEmpty();
            assertThat(db.threads().get(thread)).get().extracting(ConversationThread::status).isEqualTo(ThreadStatus.IDLE);

            List<Message> messages = messages(db, thread);
            assertThat(messages.getLast()).isInstanceOf(AiMessage.class);
            assertThat(messages.getLast().content()).isEqualTo("SYNTHESIS: change_plan " + kill.end().wireName());
            assertThat(History.violations(messages)).isEmpty();

            // Everything acknowledged before the kill is there exactly as it was.
            assertThat(db.runs().get(acknowledgedRun)).contains(acknowledged);
            assertThat(checkpointsOfRun(db, thread, acknowledgedRun)).isEqualTo(acknowledgedHistory);
        }
    }

    @Test
    void killedAfterTheOperationsRunWasRolledBack_theRestartActsForTheSameUser_neverAFallback() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("switchboard.db");
        String backendFile = dir.resolve("backend.db").toString();
        UUID thread;
        UUID startedBy;
        try (Child first = child(url, backendFile, "child-1", 30_000, Pause.BEFORE_BACKEND, true,
                "begin-for-alice-then-rollback")) {
            String[] rolled = first.awaitLine("ROLLED ").split(" ");
            thread = UUID.fromString(rolled[1]);
            startedBy = UUID.fromString(rolled[2]);
            first.kill();
        }
        try (Database db = Database.open(url)) {
            assertThat(db.runs().get(startedBy)).as("set-up: the run that started it is gone").isEmpty();
            assertThat(db.operations().listByThread(thread)).singleElement()
                    .satisfies(op -> assertThat(op.userId()).isEqualTo("alice"));
        }

        try (Child second = child(url, backendFile, "child-1", 30_000, Pause.NONE, true, "recover",
                thread.toString())) {
            second.awaitLine("RECOVERED");
            assertThat(second.awaitExit()).isZero();
        }

        FileBackend backend = new FileBackend(backendFile);
        try (Database db = Database.open(url)) {
            Operation op = db.operations().listByThread(thread).getFirst();
            assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
            assertThat(backend.change(op.idempotencyKey())).as("applied for alice").endsWith(":alice");
            assertThat(backend.appliedInAll()).isEqualTo(1);
            assertThat(History.violations(messages(db, thread))).isEmpty();
        }
    }

    @Test
    void killedWhileIdle_restartedRuntimeAnswersStateHistoryAndRunsExactlyAsBefore() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("switchboard.db");
        String backendFile = dir.resolve("backend.db").toString();
        List<UUID> threads;
        List<Answers> before = new ArrayList<>();
        Optional<Item> profileBefore;
        Namespace users = new Namespace(List.of("users", "ada"));
        try (Child child = child(url, backendFile, "child-1", 30_000, Pause.NONE, true, "idle")) {
            String[] idle = child.awaitLine("IDLE ").split(" ");
            threads = List.of(UUID.fromString(idle[1]), UUID.fromString(idle[2]));
            try (Database db = Database.open(url)) {
                for (UUID thread : threads) {
                    before.add(new Answers(db.threads().get(thread).orElseThrow(), db.checkpoints().latest(thread),
                            db.checkpoints().list(thread, 1000, null), db.runs().list(thread, RunQuery.all()),
                            db.operations().listByThread(thread)));
                }
                profileBefore = db.items().get(users, "profile");
            }
            child.kill();
        }
        assertThat(before.get(1).operations()).as("set-up: an operation ran and was reported")
                .singleElement().satisfies(op -> assertThat(op.reported()).isTrue());
        assertThat(profileBefore).isPresent();

        try (Database db = Database.open(url); Switchboard restarted = Switchboard.builder()
                .graph(new dev.switchboard.agent.AgentGraph(CrashChild.GRAPH, "", c -> new ScriptedLaneModel(List.of()),
                        List.of(), null, null, null))
                .instanceId("child-1")
                .threadStore(db.threads()).runStore(db.runs()).checkpointStore(db.checkpoints())
                .operationStore(db.operations()).itemStore(db.items()).assistantStore(db.assistants())
                .build()) {
            for (int i = 0; i < threads.size(); i++) {
                UUID thread = threads.get(i);
                Answers after = new Answers(restarted.thread(thread), restarted.state(thread, null),
                        restarted.history(thread, 1000, null), restarted.runs(thread, RunQuery.all()),
                        restarted.operations(thread));
                assertThat(after).isEqualTo(before.get(i));
            }
            assertThat(restarted.store().get(users, "profile")).isEqualTo(profileBefore);
        }
    }

    /** What the API answers about one thread. */
    private record Answers(ConversationThread thread, Optional<Checkpoint> state, List<Checkpoint> history, List<Run> runs,
            List<Operation> operations) {
    }

    private static List<Checkpoint> checkpointsOfRun(Database db, UUID thread, UUID runId) {
        return db.checkpoints().list(thread, 1000, null).stream().filter(c -> runId.equals(c.runId())).toList();
    }

    private static List<Message> messages(Database db, UUID thread) {
        return db.checkpoints().latest(thread).map(c -> ConversationState.fromJson(c.values()).messages())
                .orElse(List.of());
    }

    private Child child(String url, String backendFile, String instanceId, long leaseMs, Pause pause,
            boolean idempotent, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of(url, backendFile, instanceId, Long.toString(leaseMs), pause.name(),
                Boolean.toString(idempotent)));
        args.addAll(List.of(command));
        return new Child(dir.resolve("child-" + CHILDREN.incrementAndGet() + ".log"), args);
    }

    /** A JVM running {@link CrashChild}; its stdout is read line by line as it comes, its stderr goes to a file. */
    private static final class Child implements AutoCloseable {
        private static final String EOF = "\u0000eof";
        private final Process process;
        private final Path log;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(Path log, List<String> args) throws IOException {
            this.log = log;
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), CrashChild.class.getName()));
            command.addAll(args);
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            Thread.ofVirtual().name("child-stdout").start(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child was killed
                } finally {
                    lines.add(EOF);
                }
            });
        }

        /** The first line (from here on) that starts with {@code prefix}. */
        String awaitLine(String prefix) throws InterruptedException, IOException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line.equals(EOF)) {
                    throw new AssertionError("the child never said '" + prefix + "'"
                            + (line == null ? " (timed out)" : " (it exited)") + "; its log:\n" + Files.readString(log));
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /** SIGKILL: no shutdown hook, no finally block, no flush runs in the child. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the child exits").isTrue();
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}

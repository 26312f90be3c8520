package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.jdbc.TestDatabase.Engine;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunStatus;
import dev.switchboard.store.Namespace;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Opening, migrating, refusing and configuring databases: what the contract suites do not cover. */
class DatabaseTest {
    /** Migrations applied to a new database, and the latest version among them. */
    private static final int MIGRATIONS = 8;
    private static final String LATEST_VERSION = "8";


    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    private TestDatabase database(Engine engine) {
        return engine == Engine.SQLITE ? sqlite : postgres;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void reopen_keepsWhatWasWrittenAndAppliesNoMigrationTwice(Engine engine) {
        TestDatabase database = database(engine);
        Database first = database.open(Clock.systemUTC());
        ConversationThread thread = first.threads().create(
                ConversationThread.create(Ids.newId(), Instant.now(), json("{\"owner\":\"ada\"}")));
        first.close();

        Database second = database.open(Clock.systemUTC());

        assertThat(second.threads().get(thread.threadId())).contains(thread);
        assertThat(query(second, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = ?", true)).isEqualTo(MIGRATIONS);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void open_schemaNewerThanThisBuild_isRefusedWithAClearMessage(Engine engine) {
        TestDatabase database = database(engine);
        Database db = database.open(Clock.systemUTC());
        db.transactions().write(c -> {
            try (Statement st = c.createStatement()) {
                return st.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
                        + "script, checksum, installed_by, execution_time, success) VALUES (99, '999', "
                        + "'from the future', 'SQL', 'V999__from_the_future.sql', 0, 'a newer switchboard', 1, true)");
            }
        });
        db.close();

        assertThatThrownBy(() -> database.open(Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema is at version 999")
                .hasMessageContaining("newer than this Switchboard knows (" + LATEST_VERSION + ")")
                .hasMessageContaining("from the future");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void open_severalInstancesAtOnceOnAnEmptyDatabase_allMigrateAndWork(Engine engine) throws Exception {
        TestDatabase database = database(engine);
        int instances = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Database>> opening = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < instances; i++) {
                opening.add(executor.submit(() -> {
                    start.await();
                    return database.open(Clock.systemUTC());
                }));
            }
            start.countDown();
            for (Future<Database> f : opening) {
                Database db = f.get(2, TimeUnit.MINUTES);
                db.threads().create(ConversationThread.create(Ids.newId(), Instant.now(), null));
            }
        }

        Database any = opening.getFirst().resultNow();
        assertThat(any.threads().count(ThreadQuery.all())).isEqualTo(instances);
        assertThat(query(any, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = ?", true)).isEqualTo(MIGRATIONS);
    }

    @Test
    void open_sqlite_appliesTheDocumentedSettings() {
        Database db = sqlite.open(Clock.systemUTC());

        assertThat(pragma(db, "journal_mode")).isEqualTo("wal");
        assertThat(pragma(db, "synchronous")).as("2 is FULL").isEqualTo("2");
        assertThat(pragma(db, "foreign_keys")).isEqualTo("1");
        assertThat(pragma(db, "busy_timeout")).isEqualTo(String.valueOf(Database.SQLITE_BUSY_TIMEOUT_MILLIS));
    }

    @Test
    void open_sqliteFileInMissingDirectories_createsThem(@TempDir Path dir) {
        Path file = dir.resolve("a/b/switchboard.db");

        try (Database db = Database.open("jdbc:sqlite:" + file)) {
            assertThat(db.threads().count(ThreadQuery.all())).isZero();
        }

        assertThat(Files.exists(file)).isTrue();
    }

    @Test
    void open_inMemorySqlite_isRefused() {
        assertThatThrownBy(() -> Database.open("jdbc:sqlite::memory:"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-memory");
    }

    @Test
    void open_unsupportedUrl_isRefused() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/switchboard"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:sqlite:")
                .hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void toString_namesTheEngineAndHidesTheQueryString() {
        // The embedded server trusts local connections, so the password is carried but not checked.
        Database db = Database.open(postgres.url() + "&password=secret");
        try {
            assertThat(db.toString()).startsWith("PostgreSQL jdbc:postgresql:").doesNotContain("secret").doesNotContain("?");
        } finally {
            db.close();
        }
        assertThat(sqlite.open(Clock.systemUTC()).toString()).startsWith("SQLite jdbc:sqlite:");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void instants_keepTheirNanoseconds(Engine engine) {
        Database db = database(engine).open(Clock.systemUTC());
        Instant precise = Instant.parse("2026-03-04T05:06:07.123456789Z");
        ConversationThread thread = new ConversationThread(Ids.newId(), precise, precise.plusNanos(1), null,
                ThreadStatus.IDLE, null, null);

        db.threads().create(thread);

        assertThat(db.threads().get(thread.threadId())).contains(thread);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void itemPut_ttlBeyondWhatAColumnHolds_isInvalidAndStoresNothing(Engine engine) {
        Database db = database(engine).open(new ManualClock());

        assertThatThrownBy(() -> db.items().put(Namespace.of("a"), "k", Json.object(), Duration.ofDays(365L * 300)))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_ttl"));
        assertThat(db.items().get(Namespace.of("a"), "k")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runTransition_toRunningWhileAnotherRunsOnTheLane_isRefused(Engine engine) {
        Database db = database(engine).open(new ManualClock());
        UUID thread = Ids.newId();
        Run first = db.runs().admit(run(thread, Lane.MAIN), (c, a) -> c).admitted();
        Run second = db.runs().admit(run(thread, Lane.MAIN), (c, a) -> c).admitted();
        Run secondary = db.runs().admit(run(thread, Lane.SECONDARY), (c, a) -> c).admitted();
        db.runs().transition(first.runId(), RunStatus.RUNNING).orElseThrow();

        assertThat(db.runs().transition(second.runId(), RunStatus.RUNNING)).isEmpty();
        assertThat(db.runs().get(second.runId())).get().extracting(Run::status).isEqualTo(RunStatus.PENDING);
        assertThat(db.runs().transition(secondary.runId(), RunStatus.RUNNING)).as("the other lane").isPresent();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runsTable_refusesASecondRunningRunEvenFromAWriterThatSkipsTheStore(Engine engine) {
        Database db = database(engine).open(new ManualClock());
        UUID thread = Ids.newId();
        Run first = db.runs().admit(run(thread, Lane.MAIN), (c, a) -> c).admitted();
        Run second = db.runs().admit(run(thread, Lane.MAIN), (c, a) -> c).admitted();
        db.runs().claimNext(thread, Lane.MAIN, "test-instance", Instant.now().plusSeconds(30)).orElseThrow();

        assertThatThrownBy(() -> db.transactions().write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE runs SET status = 'running' WHERE run_id = ?")) {
                st.setString(1, second.runId().toString());
                return st.executeUpdate();
            }
        })).isInstanceOf(IllegalStateException.class);

        assertThat(db.runs().get(first.runId())).get().extracting(Run::status).isEqualTo(RunStatus.RUNNING);
        assertThat(db.runs().get(second.runId())).get().extracting(Run::status).isEqualTo(RunStatus.PENDING);
    }

    private static Run run(UUID thread, Lane lane) {
        Instant now = Instant.now();
        return new Run(Ids.newId(), thread, Ids.newId(), now, now, RunStatus.PENDING, null, null,
                MultitaskStrategy.ENQUEUE, lane);
    }

    private static long query(Database db, String sql, boolean parameter) {
        return db.transactions().read(c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setBoolean(1, parameter);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static String pragma(Database db, String name) {
        return db.transactions().read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }
}

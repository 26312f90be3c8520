package dev.switchboard.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh, empty database for one test: a new SQLite file in a temporary directory, or a new schema in the
 * shared PostgreSQL. Register it as an instance field with {@code @RegisterExtension}; every {@link #open}
 * of one test connects to the same place (two calls give two independent pools on one database, as two
 * server instances would have), and everything is closed and dropped after the test.
 *
 * <p>PostgreSQL is the one at {@value #PG_URL_VARIABLE} when that is set (an admin URL with user and
 * password; each test makes its own schema there), and otherwise an embedded server started once per JVM.
 */
final class TestDatabase implements AfterEachCallback {
    static final String PG_URL_VARIABLE = "SWITCHBOARD_TEST_PG_URL";

    enum Engine { SQLITE, POSTGRESQL }

    private final Engine engine;
    private final List<Database> opened = new CopyOnWriteArrayList<>();
    private final ReentrantLock creating = new ReentrantLock();
    private String url;
    private Path directory;
    private String schema;

    private TestDatabase(Engine engine) {
        this.engine = engine;
    }

    static TestDatabase sqlite() {
        return new TestDatabase(Engine.SQLITE);
    }

    static TestDatabase postgres() {
        return new TestDatabase(Engine.POSTGRESQL);
    }

    static TestDatabase of(Engine engine) {
        return new TestDatabase(engine);
    }

    Engine engine() {
        return engine;
    }

    /** Opens (and on the first call creates) this test's database. */
    Database open(Clock clock) {
        Database db = Database.open(url(), clock);
        opened.add(db);
        return db;
    }

    /** This test's database URL, creating the file's directory or the schema on first use. */
    String url() {
        creating.lock();
        try {
            return createdUrl();
        } finally {
            creating.unlock();
        }
    }

    private String createdUrl() {
        if (url == null) {
            url = switch (engine) {
                case SQLITE -> {
                    try {
                        directory = Files.createTempDirectory("switchboard-sqlite-");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    yield "jdbc:sqlite:" + directory.resolve("switchboard.db");
                }
                case POSTGRESQL -> {
                    schema = "test_" + UUID.randomUUID().toString().replace("-", "");
                    SharedPostgres.execute("CREATE SCHEMA " + schema);
                    yield SharedPostgres.url("currentSchema=" + schema);
                }
            };
        }
        return url;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        opened.forEach(Database::close);
        opened.clear();
        if (schema != null) {
            SharedPostgres.execute("DROP SCHEMA " + schema + " CASCADE");
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The PostgreSQL server all tests of this JVM share. */
    static final class SharedPostgres {
        private static final ReentrantLock LOCK = new ReentrantLock();
        private static String adminUrl;

        private SharedPostgres() {
        }

        /** The admin URL with {@code parameter} added to its query string. */
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
                    String given = System.getenv(PG_URL_VARIABLE);
                    adminUrl = given != null && !given.isBlank() ? given.strip() : startEmbedded();
                }
                return adminUrl;
            } finally {
                LOCK.unlock();
            }
        }

        private static String startEmbedded() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        // Tests need no durability from the server, and the disk is shared with other builds.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setServerConfig("max_connections", "300")
                        .setRegisterShutdownHook(true)
                        .start();
                return pg.getJdbcUrl("postgres", "postgres");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
        }
    }
}

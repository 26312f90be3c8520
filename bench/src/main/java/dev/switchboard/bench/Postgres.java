package dev.switchboard.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL for the whole bench run, started by the bench JVM, with durable settings: fsync and
 * synchronous_commit stay on (the server's defaults) so its figures compare honestly with SQLite at
 * synchronous=FULL. Each server start gets a database of its own (CREATE DATABASE), so no run sees another's rows.
 */
final class Postgres implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();
    private final Map<String, String> byLabel = new ConcurrentHashMap<>();

    private Postgres(EmbeddedPostgres server) {
        this.server = server;
    }

    static Postgres start() throws IOException {
        Bench.say("starting embedded PostgreSQL (fsync on, synchronous_commit on)");
        return new Postgres(EmbeddedPostgres.builder()
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                // Two instances of ours (P7) each pool up to ten connections; leave room for many more.
                .setServerConfig("max_connections", "200")
                .setRegisterShutdownHook(true)
                .start());
    }

    /** The database of servers started under {@code label}: a new one when {@code fresh}, else the last one made. */
    String database(String label, boolean fresh) {
        if (!fresh && byLabel.containsKey(label)) {
            return byLabel.get(label);
        }
        String url = newDatabase(label);
        byLabel.put(label, url);
        return url;
    }

    /** Creates a new, empty database and answers its JDBC URL (user and password in it, as ours expects). */
    String newDatabase(String label) {
        String name = "bench_" + label.replaceAll("[^A-Za-z0-9]", "_").toLowerCase(java.util.Locale.ROOT) + "_"
                + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return server.getJdbcUrl("postgres", name);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

package dev.switchboard.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * An embedded PostgreSQL of one test class, on a data directory and port of its own, that can be stopped and
 * started again on both: a server restart as an operator does it ({@code pg_ctl stop -m fast}, then a start on the
 * same data). Not the JVM-wide one the jdbc tests share, which other tests would see go away.
 */
final class RestartablePostgres implements AutoCloseable {
    private final Path data;
    private final int port;
    private EmbeddedPostgres running;

    private RestartablePostgres(Path data, int port) {
        this.data = data;
        this.port = port;
    }

    static RestartablePostgres start() {
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            RestartablePostgres pg = new RestartablePostgres(Files.createTempDirectory("switchboard-pg-"), port);
            pg.startAgain();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    /** The JDBC URL straight to the server (no proxy), with {@code parameters} ("a=b&c=d") added. */
    String url(String host, int atPort, String parameters) {
        return "jdbc:postgresql://" + host + ":" + atPort + "/postgres?user=postgres"
                + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    String directUrl(String parameters) {
        return url("localhost", port, parameters);
    }

    void execute(String sql) {
        try (Connection c = DriverManager.getConnection(directUrl("")); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Stops the server: open connections are terminated, new ones refused. The data stays. */
    void stop() {
        if (running != null) {
            try {
                running.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                running = null;
            }
        }
    }

    /**
     * Kills the server as a crash would: SIGKILL to the postmaster (its backends end when they see it gone), no
     * shutdown checkpoint. The next {@link #startAgain} runs PostgreSQL's crash recovery from the write-ahead log.
     */
    void crash() {
        if (running == null) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
            List<ProcessHandle> backends = postmaster.descendants().toList();
            postmaster.destroyForcibly();
            postmaster.onExit().get(10, TimeUnit.SECONDS);
            for (ProcessHandle backend : backends) {
                try {
                    backend.onExit().get(10, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    backend.destroyForcibly();
                }
            }
            // Releases the embedded server's own lock on the data directory; its stop finds nothing to stop.
            running.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("PostgreSQL did not die", e);
        } finally {
            running = null;
        }
    }

    /** Starts the server on the same data directory and port (initialised on the first start only). */
    void startAgain() {
        if (running != null) {
            return;
        }
        try {
            running = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // Tests need no durability from the server, and the disk is shared with other builds.
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL on port " + port, e);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

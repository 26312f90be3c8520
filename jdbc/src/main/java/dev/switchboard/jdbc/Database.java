package dev.switchboard.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.run.RunStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.thread.ThreadStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A Switchboard database: one SQLite file or one PostgreSQL database, its schema migrated to this build's
 * version, and the six storage ports on top of it. Open it once per process and close it at shutdown; the
 * stores are safe to use from any number of threads, and several processes may share one database (see the
 * package documentation for what each engine guarantees).
 */
public final class Database implements AutoCloseable {

    /** The environment variable a server reads its database URL from. */
    public static final String URL_VARIABLE = "SWITCHBOARD_DATABASE_URL";

    /** Where the database lives when no URL is given: a SQLite file under the working directory. */
    public static final String DEFAULT_URL = "jdbc:sqlite:./data/switchboard.db";

    /** How long PostgreSQL lets a transaction of ours sit idle before it ends the session (and frees its locks). */
    static final int IDLE_IN_TRANSACTION_MILLIS = 5_000;
    /** How long a PostgreSQL call waits on its socket unless the URL says otherwise ({@code socketTimeout}). */
    static final int DEFAULT_NETWORK_TIMEOUT_MILLIS = 30_000;

    /**
     * The socket bound of every call the stores and the cluster channel make: the URL's {@code socketTimeout}
     * (seconds, pgjdbc's own parameter) when it has one, else {@value #DEFAULT_NETWORK_TIMEOUT_MILLIS} ms. A
     * silent network partition then fails a call in flight (503, the connection dropped) instead of holding it
     * for as long as TCP takes to give up.
     */
    static int networkTimeoutMillis(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        if (query >= 0) {
            for (String pair : jdbcUrl.substring(query + 1).split("&")) {
                if (pair.startsWith("socketTimeout=")) {
                    try {
                        return Math.max(0, Integer.parseInt(pair.substring("socketTimeout=".length())) * 1000);
                    } catch (NumberFormatException e) {
                        throw new IllegalStateException("socketTimeout in the database URL is not a number of seconds: "
                                + pair.substring("socketTimeout=".length()));
                    }
                }
            }
        }
        return DEFAULT_NETWORK_TIMEOUT_MILLIS;
    }

    /** How long a request waits for a PostgreSQL connection before it is answered 503 (DESIGN.md §5, R6). */
    static final long CONNECTION_TIMEOUT_MILLIS = 2_000;

    /** How long a SQLite writer waits for another process's write transaction before giving up. */
    static final int SQLITE_BUSY_TIMEOUT_MILLIS = 10_000;

    private final HikariDataSource pool;
    private final Transactions transactions;
    private final String description;
    private final Dialect dialect;
    /** How long a database call waits on its socket (PostgreSQL); see {@link #networkTimeoutMillis(String)}. */
    private final int networkTimeoutMillis;
    private final ThreadStore threads;
    private final RunStore runs;
    private final CheckpointStore checkpoints;
    private final OperationStore operations;
    private final ItemStore items;
    private final AssistantStore assistants;
    private final dev.switchboard.cron.CronStore crons;

    private String url;

    private Database(HikariDataSource pool, Dialect dialect, String description, Clock clock, int networkTimeoutMillis) {
        this.pool = pool;
        this.dialect = dialect;
        this.networkTimeoutMillis = networkTimeoutMillis;
        this.transactions = new Transactions(pool, dialect, networkTimeoutMillis);
        this.description = description;
        this.threads = new JdbcThreadStore(transactions);
        this.runs = new JdbcRunStore(transactions, clock);
        this.checkpoints = new JdbcCheckpointStore(transactions);
        this.operations = new JdbcOperationStore(transactions);
        this.items = new JdbcItemStore(transactions, clock);
        this.assistants = new JdbcAssistantStore(transactions);
        this.crons = new JdbcCronStore(transactions);
    }

    /** {@link #open(String)} with the URL in {@value #URL_VARIABLE}, or the default SQLite file when it is unset. */
    public static Database fromEnvironment() {
        String url = System.getenv(URL_VARIABLE);
        return open(url == null || url.isBlank() ? null : url.strip());
    }

    /** {@link #open(String, Clock)} on the system clock. */
    public static Database open(String url) {
        return open(url, Clock.systemUTC());
    }

    /**
     * Connects, applies any migration the database lacks, and answers the stores.
     *
     * @param url   {@code jdbc:sqlite:<file>} (the file and its directory are created if missing),
     *              {@code jdbc:postgresql://<host>[:port]/<database>?user=...&password=...}, or null for
     *              {@value #DEFAULT_URL}
     * @param clock what the stores stamp their own writes with (item writes, run transitions)
     * @throws IllegalStateException when the database's schema is newer than this build knows, or it cannot
     *                               be reached or migrated
     */
    public static Database open(String url, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        String jdbcUrl = url == null ? DEFAULT_URL : url;
        Dialect dialect = Dialect.of(jdbcUrl);
        HikariDataSource pool = switch (dialect) {
            case SQLITE -> sqlitePool(jdbcUrl);
            case POSTGRESQL -> postgresPool(jdbcUrl);
        };
        try {
            Migrations.apply(pool, dialect);
            Database db = new Database(pool, dialect, describe(dialect, jdbcUrl), clock,
                    dialect == Dialect.POSTGRESQL ? networkTimeoutMillis(jdbcUrl) : 0);
            db.url = jdbcUrl;
            return db;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public ThreadStore threads() {
        return threads;
    }

    public RunStore runs() {
        return runs;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    public OperationStore operations() {
        return operations;
    }

    /** The key-value store of DESIGN.md section 1 ({@code /store}). */
    public ItemStore items() {
        return items;
    }

    public AssistantStore assistants() {
        return assistants;
    }

    /** Crons, with the firing claim that makes each due time fire once across instances. */
    public dev.switchboard.cron.CronStore crons() {
        return crons;
    }

    /**
     * Applies another module's migrations (e.g. {@code classpath:db/telco}) to this database, tracked in their own
     * history table; a schema newer than the module knows is refused as for the core tables.
     */
    public void migrate(String location, String historyTable) {
        if (!historyTable.matches("[a-z_]{1,40}")) {
            throw new IllegalArgumentException("history table names are lower-case letters and _: " + historyTable);
        }
        Migrations.apply(pool, dialect, location, historyTable);
    }

    /**
     * Signals between the instances sharing this database: LISTEN/NOTIFY on PostgreSQL; nothing on SQLite,
     * which serves one instance.
     */
    public dev.switchboard.cluster.Cluster cluster(String instanceId) {
        return switch (dialect) {
            case SQLITE -> dev.switchboard.cluster.Cluster.LOCAL;
            case POSTGRESQL -> new PostgresCluster(pool, url, instanceId, networkTimeoutMillis);
        };
    }

    /** The pooled connections, for modules that keep tables of their own in the same database. */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    /** Closes the connection pool; the stores fail afterwards. */
    @Override
    public void close() {
        pool.close();
    }

    /** The engine and where it is, without credentials: what a server prints at start. */
    @Override
    public String toString() {
        return description;
    }

    Transactions transactions() {
        return transactions;
    }

    private static HikariDataSource sqlitePool(String jdbcUrl) {
        String target = jdbcUrl.substring("jdbc:sqlite:".length());
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        if (path.isEmpty() || path.contains(":memory:") || path.contains("mode=memory")) {
            // Every pooled connection would get its own empty database.
            throw new IllegalArgumentException("an in-memory SQLite database cannot back a connection pool; "
                    + "give a file (" + DEFAULT_URL + ") or use the runtime's in-memory stores");
        }
        if (!path.startsWith("file:")) {
            createParentDirectory(Path.of(path));
        }
        SQLiteConfig config = new SQLiteConfig();
        // WAL lets readers proceed while one writer commits, and several processes share the file safely.
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a transaction is on disk (the WAL fsynced) before commit returns, so what a client was told
        // happened survives a power cut or an OS crash. NORMAL would survive a crash of this process only and
        // could lose the last commits on power loss, which breaks "acknowledged means durable".
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
        config.enforceForeignKeys(true);
        // Every write transaction takes the write lock when it begins, not at its first write: a transaction
        // that read first and then had to upgrade could fail with SQLITE_BUSY however long it waited.
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(jdbcUrl);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("switchboard-sqlite");
        hikari.setDataSource(dataSource);
        // One writer at a time anyway; the rest serve concurrent reads.
        hikari.setMaximumPoolSize(4);
        hikari.setMinimumIdle(1);
        hikari.setAutoCommit(true);
        return new HikariDataSource(hikari);
    }

    private static HikariDataSource postgresPool(String jdbcUrl) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("switchboard-postgresql");
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setMaximumPoolSize(10);
        hikari.setMinimumIdle(2);
        hikari.setAutoCommit(true);
        // While the database is away (network cut, restart), a request waits this long for a connection and then
        // gets a 503 with Retry-After, instead of HikariCP's 30 s default; the pool keeps reconnecting meanwhile.
        hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        // A pooled connection is checked (isValid) before it is handed out; a dead one is dropped, not used.
        hikari.setValidationTimeout(1_000);
        // A transaction holding a thread's lock (admissions, checkpoint writes: JdbcCheckpointStore#holdingThread)
        // never waits on anything outside the database between its statements. One that sits idle this long is
        // in a process that froze (a long GC pause, a debugger, a partition of its own): PostgreSQL ends its
        // session, so the lock it held goes to the instance that took its runs over instead of blocking it.
        hikari.setConnectionInitSql("SET idle_in_transaction_session_timeout = " + IDLE_IN_TRANSACTION_MILLIS);
        return new HikariDataSource(hikari);
    }

    private static void createParentDirectory(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the database directory " + parent, e);
        }
    }

    private static String describe(Dialect dialect, String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        // The query string may carry a password.
        String where = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        return (dialect == Dialect.SQLITE ? "SQLite " : "PostgreSQL ") + where;
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.SwitchboardException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs units of work against the pool: reads on their own, writes as one transaction each. Every store goes
 * through here, so how a transaction starts, ends and fails is decided once.
 */
final class Transactions {

    /** A unit of work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** The code of the 503 a request gets while the database is unreachable or busy. */
    static final String STORE_UNAVAILABLE = "store_unavailable";

    /** Rows fetched per round trip when a read walks a large result (PostgreSQL otherwise loads it whole). */
    static final int FETCH_SIZE = 256;

    private final DataSource pool;
    private final Dialect dialect;
    /** Null where the engine takes concurrent writers itself (PostgreSQL, which also groups their commits). */
    private final GroupCommit groupCommit;

    /**
     * How long a call waits on the database's socket before it fails (0: no bound). Without it, a query in flight
     * when the network silently drops packets (no reset) waits until TCP gives up, many minutes later. Set per
     * call, not on the pool, so that migrations (which share the pool, and may build a large index) stay unbounded.
     */
    private final int networkTimeoutMillis;

    Transactions(DataSource pool, Dialect dialect) {
        this(pool, dialect, 0);
    }

    Transactions(DataSource pool, Dialect dialect, int networkTimeoutMillis) {
        this.pool = pool;
        this.dialect = dialect;
        this.networkTimeoutMillis = networkTimeoutMillis;
        this.groupCommit = dialect.serialisesWritersInProcess() ? new GroupCommit(pool, this::translate) : null;
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * The transaction of an {@link #atomically} block being run on this thread: the store calls it makes join
     * it instead of opening their own. A thread-local, not a parameter, because those calls go through the
     * runtime's store ports, which know nothing of connections.
     */
    private static final ThreadLocal<Connection> AMBIENT = new ThreadLocal<>();

    /**
     * Runs {@code writes} as one write transaction: every read and write a store makes inside it, on this
     * database, joins it (so it sees its own writes), and all of them commit, or none, with one commit.
     */
    <T> T atomically(java.util.function.Supplier<T> writes) {
        if (AMBIENT.get() != null) {
            return writes.get();
        }
        return dev.switchboard.Interruptions.deferredDuring(() -> write(c -> {
            AMBIENT.set(c);
            try {
                return writes.get();
            } finally {
                AMBIENT.remove();
            }
        }));
    }

    /** Reads, in a transaction or not as {@link Dialect#readsInTransaction} says. */
    <T> T read(Work<T> work) {
        // A cancel (an interrupt) waits for the call to end: an interrupt inside would close the connection's socket.
        return dev.switchboard.Interruptions.deferredDuring(() -> readNow(work));
    }

    private <T> T readNow(Work<T> work) {
        Connection ambient = AMBIENT.get();
        if (ambient != null) {
            try {
                return work.run(ambient);
            } catch (SQLException e) {
                throw translate(e);
            }
        }
        try (Connection c = connect()) {
            return dialect.readsInTransaction() ? inTransaction(c, work) : work.run(c);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * One write transaction: committed if {@code work} returns, rolled back if it throws (its exception is
     * passed on unchanged, so a store's or a caller's own exception reaches the caller as it was thrown). On
     * SQLite the writes waiting at the same time share one commit ({@link GroupCommit}); each returns only once
     * that commit is durable.
     */
    <T> T write(Work<T> work) {
        return dev.switchboard.Interruptions.deferredDuring(() -> writeNow(work));
    }

    private <T> T writeNow(Work<T> work) {
        Connection ambient = AMBIENT.get();
        if (ambient != null) {
            return inSavepoint(ambient, work);
        }
        if (groupCommit != null) {
            return groupCommit.write(work);
        }
        try (Connection c = connect()) {
            return inTransaction(c, work);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Inside a write transaction: serialises it with every other transaction that locks the same thread, in
     * this process or another, until it ends.
     */
    void lockThread(Connection c, UUID threadId) throws SQLException {
        lock(c, threadId.getMostSignificantBits() ^ threadId.getLeastSignificantBits());
    }

    /**
     * Inside a write transaction: serialises it with every other transaction that takes the same key, until
     * it ends. Two different things sharing a key only wait for each other needlessly, never wrongly.
     */
    void lock(Connection c, long key) throws SQLException {
        String sql = dialect.lockSql();
        if (sql == null) {
            return;
        }
        try (var st = c.prepareStatement(sql)) {
            st.setLong(1, key);
            st.execute();
        }
    }

    /** A 64-bit lock key for a tuple of strings (FNV-1a over their UTF-16 units, a separator between them). */
    static long lockKey(String... parts) {
        long hash = 0xcbf29ce484222325L;
        for (String part : parts) {
            for (int i = 0; i < part.length(); i++) {
                hash = (hash ^ part.charAt(i)) * 0x100000001b3L;
            }
            hash = (hash ^ 0xFFFF) * 0x100000001b3L;
        }
        return hash;
    }

    /** A pooled connection whose socket reads give up after {@link #networkTimeoutMillis}. */
    private Connection connect() throws SQLException {
        Connection c = pool.getConnection();
        if (networkTimeoutMillis > 0) {
            try {
                c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** A write inside an {@link #atomically} block: undone alone if it throws, as its own transaction would be. */
    private <T> T inSavepoint(Connection c, Work<T> work) {
        try {
            java.sql.Savepoint savepoint = c.setSavepoint();
            try {
                T result = work.run(c);
                c.releaseSavepoint(savepoint);
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                c.rollback(savepoint);
                c.releaseSavepoint(savepoint);
                throw e;
            }
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        boolean committed = false;
        try {
            T result = work.run(c);
            c.commit();
            committed = true;
            return result;
        } finally {
            if (!committed) {
                rollbackOrDiscard(pool, c);
            }
            // No setAutoCommit(true) here: the pool resets it when the connection comes back, and a broken
            // connection would throw from it and hide the exception that matters.
        }
    }

    /**
     * Rolls back, and if that fails, takes the connection out of the pool for good. A rollback fails when the
     * connection is broken, or when SQLite has already rolled the transaction back itself (it may on
     * SQLITE_FULL); the driver then still believes a transaction is open, so the next user of the connection
     * would run its statements each in its own autocommit, neither atomic nor undoable. The pool would not
     * notice: the connection answers fine.
     */
    static void rollbackOrDiscard(DataSource pool, Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            if (pool instanceof com.zaxxer.hikari.HikariDataSource hikari) {
                hikari.evictConnection(c);
            }
        }
    }

    RuntimeException translate(SQLException e) {
        if (Dialect.isFull(e)) {
            // Nothing of the request was committed; once space is back the same request succeeds.
            return new SwitchboardException.Unavailable("store_full",
                    "the database cannot write (its disk is full); nothing of this request was kept, try again later");
        }
        if (dialect.isTransient(e)) {
            return new SwitchboardException.Unavailable(STORE_UNAVAILABLE,
                    "the database is busy or unreachable; nothing of this request was kept, try again");
        }
        return new IllegalStateException("database error: " + e.getMessage(), e);
    }
}

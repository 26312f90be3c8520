package dev.switchboard.jdbc;

import java.sql.SQLException;
import java.util.Map;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Everything that differs between SQLite and PostgreSQL, in one place. The schema and every statement are
 * written once in SQL both engines understand; what they cannot share is here.
 */
enum Dialect {

    SQLITE {
        @Override
        Map<String, String> migrationPlaceholders() {
            // SQLite's default collation is BINARY already.
            return Map.of("key", "TEXT", "metadata_owner", "json_extract(metadata, '$.owner')");
        }

        @Override
        String lockSql() {
            // Every write transaction starts with BEGIN IMMEDIATE, which takes the database's one write lock.
            return null;
        }

        @Override
        String forUpdate() {
            return "";
        }

        @Override
        boolean serialisesWritersInProcess() {
            return true;
        }

        @Override
        boolean readsInTransaction() {
            // A transaction here would be BEGIN IMMEDIATE and take the write lock; in autocommit mode each
            // SELECT reads its own WAL snapshot without blocking anyone.
            return false;
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return e instanceof SQLiteException s
                    && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
        }

        @Override
        boolean isTransient(SQLException e) {
            if (e instanceof SQLiteException s) {
                // Extended codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in their low byte.
                int primary = s.getResultCode().code & 0xff;
                if (primary == SQLiteErrorCode.SQLITE_BUSY.code || primary == SQLiteErrorCode.SQLITE_LOCKED.code) {
                    return true;
                }
            }
            return isConnectionFailure(e);
        }
    },

    POSTGRESQL {
        @Override
        Map<String, String> migrationPlaceholders() {
            return Map.of("key", "TEXT COLLATE \"C\"", "metadata_owner", "(metadata::jsonb ->> 'owner')");
        }

        @Override
        String lockSql() {
            // A transaction-scoped advisory lock: released by commit or rollback, so it cannot leak, and it
            // needs no row to exist (the run store may be used before or without the thread store).
            return "SELECT pg_advisory_xact_lock(?)";
        }

        @Override
        String forUpdate() {
            return " FOR UPDATE";
        }

        @Override
        boolean serialisesWritersInProcess() {
            return false;
        }

        @Override
        boolean readsInTransaction() {
            // Only inside a transaction does the driver honour the fetch size and stream a large result with
            // a cursor instead of loading it whole.
            return true;
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        boolean isTransient(SQLException e) {
            String state = e.getSQLState();
            // serialization_failure, deadlock_detected, admin/crash shutdown, cannot_connect_now; out of memory
            // and too many connections (class 53 but disk_full, which is its own case: isFull).
            return "40001".equals(state) || "40P01".equals(state) || "57P01".equals(state) || "57P02".equals(state)
                    || "57P03".equals(state) || "53200".equals(state) || "53300".equals(state)
                    || isConnectionFailure(e);
        }
    };

    static Dialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported database URL '" + jdbcUrl
                + "': use jdbc:sqlite:<file> or jdbc:postgresql://<host>/<database>");
    }

    /** Values for the {@code ${...}} placeholders of the migration scripts. */
    abstract Map<String, String> migrationPlaceholders();

    /**
     * A statement taking one {@code long} key that serialises the calling transaction with every other
     * transaction that locks the same key, across processes; null when the engine's write transactions are
     * serialised anyway.
     */
    abstract String lockSql();

    /** The clause that locks the rows a SELECT reads until the transaction ends, or nothing. */
    abstract String forUpdate();

    /**
     * Whether writers of one process should queue on an in-process lock before asking the database: SQLite
     * has one write lock per file, and waiting for it inside the driver's busy handler both burns a carrier
     * thread and turns contention into SQLITE_BUSY errors once the timeout passes.
     */
    abstract boolean serialisesWritersInProcess();

    /** Whether reads run inside a transaction (else in autocommit mode). */
    abstract boolean readsInTransaction();

    abstract boolean isUniqueViolation(SQLException e);

    /** The failure says nothing about the request: the same call may succeed later. */
    abstract boolean isTransient(SQLException e);

    /**
     * Whether the database cannot write for want of space: SQLite's SQLITE_FULL (its VFS turns ENOSPC into it;
     * also {@code max_page_count} reached), PostgreSQL's 53100 disk_full. It passes once space is back. Other
     * write errors (SQLite's SQLITE_IOERR) are faults of the disk, not of its space, and are not this.
     */
    static boolean isFull(SQLException e) {
        if (e instanceof org.sqlite.SQLiteException s) {
            return (s.getResultCode().code & 0xff) == org.sqlite.SQLiteErrorCode.SQLITE_FULL.code;
        }
        return "53100".equals(e.getSQLState());
    }

    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return e instanceof java.sql.SQLTransientException || (state != null && state.startsWith("08"));
    }
}

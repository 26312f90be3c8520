package dev.switchboard.jdbc;

import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Checkpoints in the {@code checkpoints} table, keyed by thread and checkpoint id. Ids are canonical UUID
 * text compared byte by byte, so for time-ordered UUIDv7 ids "greatest id" is "latest".
 */
final class JdbcCheckpointStore implements CheckpointStore {
    private static final String COLUMNS = "thread_id, checkpoint_id, parent_id, run_id, step, source, state_values, "
            + "next_nodes, metadata, created_at";

    private final Transactions tx;

    JdbcCheckpointStore(Transactions tx) {
        this.tx = tx;
    }

    /** Inserts, or replaces a checkpoint with the same thread and id, as a map would. */
    @Override
    public void put(Checkpoint cp) {
        tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO checkpoints (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id, checkpoint_id) DO UPDATE SET "
                    + "parent_id = excluded.parent_id, run_id = excluded.run_id, step = excluded.step, "
                    + "source = excluded.source, state_values = excluded.state_values, "
                    + "next_nodes = excluded.next_nodes, metadata = excluded.metadata, created_at = excluded.created_at")) {
                bindRow(st, cp);
                return st.executeUpdate();
            }
        });
    }

    /** One statement: a checkpoint a rollback deleted meanwhile stays deleted. */
    @Override
    public boolean replaceMetadata(java.util.UUID threadId, java.util.UUID checkpointId,
            com.fasterxml.jackson.databind.node.ObjectNode metadata) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE checkpoints SET metadata = ? WHERE thread_id = ? AND checkpoint_id = ?")) {
                Columns.setJson(st, 1, metadata);
                Columns.setUuid(st, 2, threadId);
                Columns.setUuid(st, 3, checkpointId);
                return st.executeUpdate();
            }
        }) > 0;
    }

    /** Binds the checkpoint's ten columns, in {@code COLUMNS} order, as parameters 1 to 10. */
    private static void bindRow(PreparedStatement st, Checkpoint cp) throws java.sql.SQLException {
                Columns.setUuid(st, 1, cp.threadId());
                Columns.setUuid(st, 2, cp.checkpointId());
                Columns.setUuid(st, 3, cp.parentId());
                Columns.setUuid(st, 4, cp.runId());
                st.setInt(5, cp.step());
                st.setString(6, cp.source().wireName());
                Columns.setJson(st, 7, cp.values());
                Columns.setStrings(st, 8, cp.next());
                Columns.setJson(st, 9, cp.metadata());
                Columns.setInstant(st, 10, cp.createdAt());
    }

    /**
     * The insert selects its row only while the run's {@code owner} is {@code leaseOwner}, so the lease check and
     * the write are one statement: a take-over committed before it makes it insert nothing. (Checkpoint ids are
     * new for every write, so there is no conflict to resolve.)
     */
    @Override
    public boolean putIfHeld(Checkpoint cp, String leaseOwner) {
        if (cp.runId() == null) {
            throw new IllegalArgumentException("a fenced checkpoint names its run");
        }
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO checkpoints (" + COLUMNS
                    + ") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs WHERE run_id = ? AND owner = ?)"
                    + (cp.parentId() == null ? ""
                            : " AND EXISTS (SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_id = ?)"))) {
                bindRow(st, cp);
                Columns.setUuid(st, 11, cp.runId());
                st.setString(12, leaseOwner);
                if (cp.parentId() != null) {
                    Columns.setUuid(st, 13, cp.threadId());
                    Columns.setUuid(st, 14, cp.parentId());
                }
                return st.executeUpdate();
            }
        }) == 1;
    }

    /**
     * One transaction holding the thread's lock, the advisory lock admissions take on PostgreSQL (on SQLite the
     * write transaction itself serialises every writer). Under READ COMMITTED each statement inside sees what
     * the transaction that held the lock before committed, so the parent check of {@link #putIfHeld} and the
     * deletes of a rollback cannot interleave.
     */
    @Override
    public <T> T holdingThread(UUID threadId, java.util.function.Supplier<T> work) {
        return tx.atomically(() -> {
            tx.write(c -> {
                tx.lockThread(c, threadId);
                return null;
            });
            return work.get();
        });
    }

    @Override
    public Optional<Checkpoint> get(UUID threadId, UUID checkpointId) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM checkpoints WHERE thread_id = ? AND checkpoint_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                Columns.setUuid(st, 2, checkpointId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<Checkpoint> latest(UUID threadId) {
        return list(threadId, 1, null).stream().findFirst();
    }

    @Override
    public List<Checkpoint> list(UUID threadId, int limit, UUID before) {
        if (limit <= 0) {
            return List.of();
        }
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM checkpoints WHERE thread_id = ?"
                    + (before == null ? "" : " AND checkpoint_id < ?") + " ORDER BY checkpoint_id DESC LIMIT ?")) {
                int i = 1;
                Columns.setUuid(st, i++, threadId);
                if (before != null) {
                    Columns.setUuid(st, i++, before);
                }
                st.setInt(i, limit);
                List<Checkpoint> found = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        found.add(read(rs));
                    }
                }
                return found;
            }
        });
    }

    @Override
    public int deleteByRun(UUID threadId, UUID runId) {
        return tx.write(c -> {
            tx.lockThread(c, threadId);
            try (PreparedStatement st = c.prepareStatement("DELETE FROM checkpoints WHERE thread_id = ? AND run_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                Columns.setUuid(st, 2, runId);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public int deleteRunAndLater(UUID threadId, UUID runId) {
        // One statement: the run's first checkpoint bounds what goes, found through the (thread_id, run_id) index.
        return tx.write(c -> {
            tx.lockThread(c, threadId);
            try (PreparedStatement st = c.prepareStatement("DELETE FROM checkpoints WHERE thread_id = ? AND run_id IS NOT NULL"
                    + " AND checkpoint_id >= (SELECT MIN(checkpoint_id) FROM checkpoints WHERE thread_id = ? AND run_id = ?)")) {
                Columns.setUuid(st, 1, threadId);
                Columns.setUuid(st, 2, threadId);
                Columns.setUuid(st, 3, runId);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public int deleteByThread(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM checkpoints WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public int deleteAllButLatest(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM checkpoints WHERE thread_id = ? AND "
                    + "checkpoint_id < (SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ?)")) {
                Columns.setUuid(st, 1, threadId);
                Columns.setUuid(st, 2, threadId);
                return st.executeUpdate();
            }
        });
    }

    private static Checkpoint read(ResultSet rs) throws SQLException {
        return new Checkpoint(Columns.getUuid(rs, "checkpoint_id"), Columns.getUuid(rs, "thread_id"),
                Columns.getUuid(rs, "parent_id"), Columns.getUuid(rs, "run_id"), rs.getInt("step"),
                Checkpoint.Source.fromWire(rs.getString("source")), Columns.getObject(rs, "state_values"),
                Columns.getStrings(rs, "next_nodes"), Columns.getObject(rs, "metadata"),
                Columns.getInstant(rs, "created_at"));
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.run.AdmissionRule;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Runs in the {@code runs} table. The single-active-run rule rests on three things:
 * <ul>
 *   <li>{@link #admit} and {@link #claimNext} are each one transaction that first locks the thread (a
 *       PostgreSQL advisory lock on the thread id; on SQLite the database write lock that BEGIN IMMEDIATE
 *       takes), so two of them on one thread never interleave, whichever process they run in;</li>
 *   <li>{@link #transition} is one conditional UPDATE whose WHERE clause names the statuses it may leave,
 *       so a terminal status cannot change however many writers race;</li>
 *   <li>a partial unique index allows one {@code running} row per thread and lane, so even a writer that
 *       skips the lock cannot make a second one.</li>
 * </ul>
 * Leases need no lock: {@link #renewLeases}, {@link #takeOver} and {@link #finish} are each one conditional
 * UPDATE whose WHERE clause names the owner (and, for a take-over, the lease end) it expects, so of two racing
 * writers the database lets exactly one through.
 *
 * <p>At ~400 lines it is the size of its port: one short SQL method per {@link RunStore} operation, so that every
 * statement that touches the runs table, and the locks and leases they assume, can be read together.
 */
final class JdbcRunStore implements RunStore {
    private static final String COLUMNS = "run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, "
            + "kwargs, multitask_strategy, lane, owner, lease_until";
    private static final String OLDEST_FIRST = " ORDER BY created_at, run_id";
    /** Bind parameters per IN list, well under every driver's limit. */
    private static final int IDS_PER_STATEMENT = 500;

    private final Transactions tx;
    private final Clock clock;

    JdbcRunStore(Transactions tx, Clock clock) {
        this.tx = tx;
        this.clock = clock;
    }

    @Override
    public <T> T atomically(java.util.function.Supplier<T> writes) {
        return tx.atomically(writes);
    }

    @Override
    public Admission admit(Run candidate, AdmissionRule rule) {
        return tx.write(c -> {
            tx.lockThread(c, candidate.threadId());
            List<Run> active = active(c, candidate.threadId(), candidate.lane());
            // The rule may throw (reject); the transaction then rolls back and nothing is inserted.
            Run admitted = rule.admit(candidate, Collections.unmodifiableList(active))
                    .withStatus(RunStatus.PENDING, candidate.updatedAt());
            insert(c, admitted);
            return new Admission(admitted, active);
        });
    }

    @Override
    public Optional<Run> get(UUID runId) {
        return tx.read(c -> find(c, runId));
    }

    @Override
    public List<Run> list(UUID threadId, RunQuery query) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE thread_id = ?"
                    + (query.status() == null ? "" : " AND status = ?")
                    + " ORDER BY created_at DESC, run_id DESC LIMIT ? OFFSET ?")) {
                int i = 1;
                Columns.setUuid(st, i++, threadId);
                if (query.status() != null) {
                    st.setString(i++, query.status().wireName());
                }
                st.setInt(i++, query.limit());
                st.setInt(i, query.offset());
                return readAll(st);
            }
        });
    }

    @Override
    public List<Run> active(UUID threadId, Lane lane) {
        return tx.read(c -> active(c, threadId, lane));
    }

    /** The same advisory lock as {@link #admit}: held until the surrounding transaction ends. */
    @Override
    public List<Run> activeHoldingAdmissions(UUID threadId, Lane lane) {
        return tx.write(c -> {
            tx.lockThread(c, threadId);
            return active(c, threadId, lane);
        });
    }

    @Override
    public Optional<Run> transition(UUID runId, RunStatus next) {
        return transitionFromAny(runId, Arrays.stream(RunStatus.values()).filter(s -> s.canTransitionTo(next))
                .map(RunStatus::wireName).toArray(String[]::new), next);
    }

    @Override
    public Optional<Run> transition(UUID runId, RunStatus expected, RunStatus next) {
        if (!expected.canTransitionTo(next)) {
            return Optional.empty();
        }
        return transitionFromAny(runId, new String[] {expected.wireName()}, next);
    }

    private Optional<Run> transitionFromAny(UUID runId, String[] from, RunStatus next) {
        if (from.length == 0) {
            return Optional.empty();
        }
        return tx.write(c -> {
            if (next == RunStatus.RUNNING) {
                // Starting a run outside claimNext: take the same thread lock, so the NOT EXISTS below sees
                // every other start on this thread and lane.
                Optional<Run> current = find(c, runId);
                if (current.isEmpty()) {
                    return Optional.<Run>empty();
                }
                tx.lockThread(c, current.get().threadId());
            }
            int updated;
            try (PreparedStatement st = c.prepareStatement("UPDATE runs SET status = ?, updated_at = ? WHERE run_id = ? "
                    + "AND status IN (" + String.join(", ", Collections.nCopies(from.length, "?")) + ")"
                    + (next == RunStatus.RUNNING ? " AND NOT EXISTS (SELECT 1 FROM runs other WHERE other.thread_id = "
                    + "runs.thread_id AND other.lane = runs.lane AND other.status = ?)" : ""))) {
                int i = 1;
                st.setString(i++, next.wireName());
                Columns.setInstant(st, i++, clock.instant());
                Columns.setUuid(st, i++, runId);
                for (String status : from) {
                    st.setString(i++, status);
                }
                if (next == RunStatus.RUNNING) {
                    st.setString(i, RunStatus.RUNNING.wireName());
                }
                updated = st.executeUpdate();
            } catch (SQLException e) {
                if (!tx.dialect().isUniqueViolation(e)) {
                    throw e;
                }
                // Only a writer that bypassed the thread lock can get here; the one-running index refused its
                // second running run. Nothing changed; end the (on PostgreSQL, aborted) transaction cleanly.
                c.rollback();
                return Optional.<Run>empty();
            }
            return updated == 0 ? Optional.<Run>empty() : find(c, runId);
        });
    }

    @Override
    public Optional<Run> claimNext(UUID threadId, Lane lane, String owner, Instant leaseUntil) {
        return tx.write(c -> {
            tx.lockThread(c, threadId);
            while (true) {
                List<Run> active = active(c, threadId, lane);
                if (active.isEmpty() || active.stream().anyMatch(r -> r.status() == RunStatus.RUNNING)) {
                    return Optional.<Run>empty();
                }
                var now = clock.instant();
                Optional<Run> due = active.stream().filter(r -> r.isDue(now)).findFirst();
                if (due.isEmpty()) {
                    return Optional.<Run>empty();
                }
                Run oldest = due.get();
                Run running = oldest.withStatus(RunStatus.RUNNING, now).withLease(owner, leaseUntil);
                try (PreparedStatement st = c.prepareStatement("UPDATE runs SET status = ?, updated_at = ?, owner = ?, "
                        + "lease_until = ? WHERE run_id = ? AND status = ?")) {
                    st.setString(1, RunStatus.RUNNING.wireName());
                    Columns.setInstant(st, 2, running.updatedAt());
                    st.setString(3, owner);
                    Columns.setInstant(st, 4, leaseUntil);
                    Columns.setUuid(st, 5, oldest.runId());
                    st.setString(6, RunStatus.PENDING.wireName());
                    if (st.executeUpdate() == 1) {
                        return Optional.of(running);
                    }
                }
                // A transition (not serialised by the thread lock) cancelled or deleted it meanwhile: look again.
            }
        });
    }

    @Override
    public Set<UUID> renewLeases(String owner, Collection<UUID> runIds, Instant until) {
        if (runIds.isEmpty()) {
            return Set.of();
        }
        List<UUID> ids = List.copyOf(runIds);
        return tx.write(c -> {
            Set<UUID> held = new HashSet<>();
            for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
                List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
                String in = " AND run_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
                try (PreparedStatement st = c.prepareStatement(
                        "UPDATE runs SET lease_until = ? WHERE owner = ? AND status = ?" + in)) {
                    Columns.setInstant(st, 1, until);
                    st.setString(2, owner);
                    st.setString(3, RunStatus.RUNNING.wireName());
                    bindIds(st, 4, chunk);
                    st.executeUpdate();
                }
                // Same transaction: exactly the rows the UPDATE matched.
                try (PreparedStatement st = c.prepareStatement(
                        "SELECT run_id FROM runs WHERE owner = ? AND status = ?" + in)) {
                    st.setString(1, owner);
                    st.setString(2, RunStatus.RUNNING.wireName());
                    bindIds(st, 3, chunk);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            held.add(Columns.getUuid(rs, "run_id"));
                        }
                    }
                }
            }
            return held;
        });
    }

    @Override
    public Optional<Run> takeOver(Run seen, String owner, Instant leaseUntil) {
        return tx.write(c -> {
            int updated;
            // NULL never equals NULL in SQL: a run seen without an owner or lease is matched with IS NULL.
            try (PreparedStatement st = c.prepareStatement("UPDATE runs SET owner = ?, lease_until = ? WHERE run_id = ? "
                    + "AND status = ? AND owner " + (seen.owner() == null ? "IS NULL" : "= ?")
                    + " AND lease_until " + (seen.leaseUntil() == null ? "IS NULL" : "= ?"))) {
                int i = 1;
                st.setString(i++, owner);
                Columns.setInstant(st, i++, leaseUntil);
                Columns.setUuid(st, i++, seen.runId());
                st.setString(i++, RunStatus.RUNNING.wireName());
                if (seen.owner() != null) {
                    st.setString(i++, seen.owner());
                }
                if (seen.leaseUntil() != null) {
                    Columns.setInstant(st, i, seen.leaseUntil());
                }
                updated = st.executeUpdate();
            }
            return updated == 0 ? Optional.<Run>empty() : find(c, seen.runId());
        });
    }

    @Override
    public Optional<Run> finish(UUID runId, String owner, RunStatus end) {
        if (!end.isTerminal()) {
            return Optional.empty();
        }
        return tx.write(c -> {
            int updated;
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE runs SET status = ?, updated_at = ? WHERE run_id = ? AND status = ? AND owner = ?")) {
                st.setString(1, end.wireName());
                Columns.setInstant(st, 2, clock.instant());
                Columns.setUuid(st, 3, runId);
                st.setString(4, RunStatus.RUNNING.wireName());
                st.setString(5, owner);
                updated = st.executeUpdate();
            }
            return updated == 0 ? Optional.<Run>empty() : find(c, runId);
        });
    }

    @Override
    public List<Run> running() {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE status = ?" + OLDEST_FIRST)) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                st.setString(1, RunStatus.RUNNING.wireName());
                return readAll(st);
            }
        });
    }

    private static void bindIds(PreparedStatement st, int first, List<UUID> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            Columns.setUuid(st, first + i, ids.get(i));
        }
    }

    @Override
    public List<Run> pending() {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE status = ?" + OLDEST_FIRST)) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                st.setString(1, RunStatus.PENDING.wireName());
                return readAll(st);
            }
        });
    }

    @Override
    public boolean delete(UUID runId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM runs WHERE run_id = ?")) {
                Columns.setUuid(st, 1, runId);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int deleteByThread(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM runs WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public int deleteFinished(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM runs WHERE thread_id = ? AND status NOT IN (?, ?)")) {
                Columns.setUuid(st, 1, threadId);
                st.setString(2, RunStatus.PENDING.wireName());
                st.setString(3, RunStatus.RUNNING.wireName());
                return st.executeUpdate();
            }
        });
    }

    private static List<Run> active(Connection c, UUID threadId, Lane lane) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
                + " FROM runs WHERE thread_id = ? AND lane = ? AND status IN (?, ?)" + OLDEST_FIRST)) {
            Columns.setUuid(st, 1, threadId);
            st.setString(2, lane.wireName());
            st.setString(3, RunStatus.PENDING.wireName());
            st.setString(4, RunStatus.RUNNING.wireName());
            return readAll(st);
        }
    }

    private static Optional<Run> find(Connection c, UUID runId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM runs WHERE run_id = ?")) {
            Columns.setUuid(st, 1, runId);
            return readAll(st).stream().findFirst();
        }
    }

    private static void insert(Connection c, Run run) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO runs (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            Columns.setUuid(st, 1, run.runId());
            Columns.setUuid(st, 2, run.threadId());
            Columns.setUuid(st, 3, run.assistantId());
            Columns.setInstant(st, 4, run.createdAt());
            Columns.setInstant(st, 5, run.updatedAt());
            st.setString(6, run.status().wireName());
            Columns.setJson(st, 7, run.metadata());
            Columns.setJson(st, 8, run.kwargs());
            st.setString(9, run.multitaskStrategy().wireName());
            st.setString(10, run.lane().wireName());
            st.setString(11, run.owner());
            Columns.setInstant(st, 12, run.leaseUntil());
            st.executeUpdate();
        }
    }

    private static List<Run> readAll(PreparedStatement st) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                runs.add(new Run(Columns.getUuid(rs, "run_id"), Columns.getUuid(rs, "thread_id"),
                        Columns.getUuid(rs, "assistant_id"), Columns.getInstant(rs, "created_at"),
                        Columns.getInstant(rs, "updated_at"), RunStatus.fromWire(rs.getString("status")),
                        Columns.getObject(rs, "metadata"), Columns.getObject(rs, "kwargs"),
                        MultitaskStrategy.fromWire(rs.getString("multitask_strategy")), lane(rs.getString("lane")),
                        rs.getString("owner"), Columns.getInstant(rs, "lease_until")));
            }
        }
        return runs;
    }

    private static Lane lane(String wire) {
        for (Lane lane : Lane.values()) {
            if (lane.wireName().equals(wire)) {
                return lane;
            }
        }
        throw new IllegalStateException("unknown lane in the runs table: " + wire);
    }
}

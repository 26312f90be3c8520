package dev.switchboard.jdbc;

import dev.switchboard.SwitchboardException;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Operations in the {@code operations} table. {@link #update} reads the row locked (PostgreSQL
 * {@code FOR UPDATE}; on SQLite the transaction holds the write lock from its start), applies the change in
 * Java and writes it back in the same transaction, so concurrent updates of one operation apply one after
 * the other and none is lost.
 */
final class JdbcOperationStore implements OperationStore {
    private static final String COLUMNS = "operation_id, thread_id, run_id, tool_call_id, tool_name, arguments, "
            + "idempotency_key, namespace, status, percent, message, result, error, cancel_requested, reported, "
            + "owner, lease_until, created_at, updated_at, user_id";
    private static final String OLDEST_FIRST = " ORDER BY created_at, operation_id";
    /** Bind parameters per IN list, well under every driver's limit. */
    private static final int IDS_PER_STATEMENT = 500;

    private final Transactions tx;

    JdbcOperationStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Operation create(Operation operation) {
        boolean inserted = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO operations (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                bindAll(st, operation);
                return st.executeUpdate() == 1;
            }
        });
        if (!inserted) {
            // Either the id or the idempotency key is taken; both mean "this operation exists already".
            throw new SwitchboardException.Conflict("operation_exists", "operation " + operation.operationId()
                    + " or one with idempotency key " + operation.idempotencyKey() + " already exists");
        }
        return operation;
    }

    @Override
    public Optional<Operation> get(UUID operationId) {
        return tx.read(c -> find(c, "operation_id = ?", operationId.toString(), ""));
    }

    @Override
    public Optional<Operation> byIdempotencyKey(String idempotencyKey) {
        return tx.read(c -> find(c, "idempotency_key = ?", idempotencyKey, ""));
    }

    @Override
    public List<Operation> listByThread(UUID threadId) {
        return tx.read(c -> select(c, "thread_id = ?", threadId.toString()));
    }

    @Override
    public List<Operation> inFlight() {
        return tx.read(c -> select(c, "status = ?", OperationStatus.RUNNING.wireName()));
    }

    @Override
    public List<Operation> unreported() {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM operations WHERE status <> ? AND reported = ?" + OLDEST_FIRST)) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                st.setString(1, OperationStatus.RUNNING.wireName());
                st.setBoolean(2, false);
                return readAll(st);
            }
        });
    }

    @Override
    public Optional<Operation> update(UUID operationId, UnaryOperator<Operation> change) {
        return tx.write(c -> {
            Optional<Operation> found = find(c, "operation_id = ?", operationId.toString(), tx.dialect().forUpdate());
            if (found.isEmpty()) {
                return Optional.<Operation>empty();
            }
            Operation current = found.get();
            // Runs inside the transaction; if it throws, or the checks below do, the rollback leaves the row as it was.
            Operation next = change.apply(current);
            if (!next.operationId().equals(current.operationId())
                    || !next.idempotencyKey().equals(current.idempotencyKey())
                    || !java.util.Objects.equals(next.userId(), current.userId())) {
                throw new IllegalStateException("an update must not change an operation's identity");
            }
            if (current.status().isTerminal() && next.status() != current.status()) {
                throw new IllegalStateException("operation " + operationId + " is " + current.status().wireName()
                        + "; a terminal status never changes");
            }
            try (PreparedStatement st = c.prepareStatement("UPDATE operations SET thread_id = ?, run_id = ?, "
                    + "tool_call_id = ?, tool_name = ?, arguments = ?, namespace = ?, status = ?, percent = ?, "
                    + "message = ?, result = ?, error = ?, cancel_requested = ?, reported = ?, owner = ?, "
                    + "lease_until = ?, created_at = ?, updated_at = ? WHERE operation_id = ?")) {
                Columns.setUuid(st, 1, next.threadId());
                Columns.setUuid(st, 2, next.runId());
                st.setString(3, next.toolCallId());
                st.setString(4, next.toolName());
                Columns.setJson(st, 5, next.arguments());
                Columns.setStrings(st, 6, next.namespace());
                st.setString(7, next.status().wireName());
                st.setInt(8, next.percent());
                st.setString(9, next.message());
                st.setString(10, next.result());
                st.setString(11, next.error());
                st.setBoolean(12, next.cancelRequested());
                st.setBoolean(13, next.reported());
                st.setString(14, next.owner());
                Columns.setInstant(st, 15, next.leaseUntil());
                Columns.setInstant(st, 16, next.createdAt());
                Columns.setInstant(st, 17, next.updatedAt());
                Columns.setUuid(st, 18, operationId);
                st.executeUpdate();
            }
            // Read back rather than return `next`, so the caller holds its own copy of what is stored.
            return find(c, "operation_id = ?", operationId.toString(), "");
        });
    }

    @Override
    public Set<UUID> renewLeases(String owner, Collection<UUID> operationIds, Instant until) {
        if (operationIds.isEmpty()) {
            return Set.of();
        }
        List<UUID> ids = List.copyOf(operationIds);
        return tx.write(c -> {
            Set<UUID> held = new HashSet<>();
            for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
                List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
                String in = " AND operation_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
                try (PreparedStatement st = c.prepareStatement(
                        "UPDATE operations SET lease_until = ? WHERE owner = ? AND status = ?" + in)) {
                    Columns.setInstant(st, 1, until);
                    st.setString(2, owner);
                    st.setString(3, OperationStatus.RUNNING.wireName());
                    for (int i = 0; i < chunk.size(); i++) {
                        Columns.setUuid(st, 4 + i, chunk.get(i));
                    }
                    st.executeUpdate();
                }
                // Same transaction: exactly the rows the UPDATE matched.
                try (PreparedStatement st = c.prepareStatement(
                        "SELECT operation_id FROM operations WHERE owner = ? AND status = ?" + in)) {
                    st.setString(1, owner);
                    st.setString(2, OperationStatus.RUNNING.wireName());
                    for (int i = 0; i < chunk.size(); i++) {
                        Columns.setUuid(st, 3 + i, chunk.get(i));
                    }
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            held.add(Columns.getUuid(rs, "operation_id"));
                        }
                    }
                }
            }
            return held;
        });
    }

    @Override
    public int deleteByThread(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM operations WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                return st.executeUpdate();
            }
        });
    }

    private static Optional<Operation> find(Connection c, String condition, String param, String suffix)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM operations WHERE " + condition + suffix)) {
            st.setString(1, param);
            return readAll(st).stream().findFirst();
        }
    }

    private static List<Operation> select(Connection c, String condition, String param) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM operations WHERE " + condition + OLDEST_FIRST)) {
            st.setFetchSize(Transactions.FETCH_SIZE);
            st.setString(1, param);
            return readAll(st);
        }
    }

    private static void bindAll(PreparedStatement st, Operation o) throws SQLException {
        Columns.setUuid(st, 1, o.operationId());
        Columns.setUuid(st, 2, o.threadId());
        Columns.setUuid(st, 3, o.runId());
        st.setString(4, o.toolCallId());
        st.setString(5, o.toolName());
        Columns.setJson(st, 6, o.arguments());
        st.setString(7, o.idempotencyKey());
        Columns.setStrings(st, 8, o.namespace());
        st.setString(9, o.status().wireName());
        st.setInt(10, o.percent());
        st.setString(11, o.message());
        st.setString(12, o.result());
        st.setString(13, o.error());
        st.setBoolean(14, o.cancelRequested());
        st.setBoolean(15, o.reported());
        st.setString(16, o.owner());
        Columns.setInstant(st, 17, o.leaseUntil());
        Columns.setInstant(st, 18, o.createdAt());
        Columns.setInstant(st, 19, o.updatedAt());
        st.setString(20, o.userId());
    }

    private static List<Operation> readAll(PreparedStatement st) throws SQLException {
        List<Operation> found = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                found.add(new Operation(Columns.getUuid(rs, "operation_id"), Columns.getUuid(rs, "thread_id"),
                        Columns.getUuid(rs, "run_id"), rs.getString("tool_call_id"), rs.getString("tool_name"),
                        Columns.getObject(rs, "arguments"), rs.getString("idempotency_key"),
                        Columns.getStrings(rs, "namespace"), OperationStatus.fromWire(rs.getString("status")),
                        rs.getInt("percent"), rs.getString("message"), rs.getString("result"), rs.getString("error"),
                        rs.getBoolean("cancel_requested"), rs.getBoolean("reported"), rs.getString("owner"),
                        Columns.getInstant(rs, "lease_until"), Columns.getInstant(rs, "created_at"),
                        Columns.getInstant(rs, "updated_at"), rs.getString("user_id")));
            }
        }
        return found;
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.thread.ThreadTtl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Threads in the {@code threads} table. Ids and status filter and every sort order run in SQL; metadata and
 * values containment run in Java over the sorted rows, so they mean exactly what {@link Json#contains}
 * means. Without a containment filter the page itself is cut in SQL.
 */
final class JdbcThreadStore implements ThreadStore {
    private static final String COLUMNS = "thread_id, created_at, updated_at, metadata, status, config, state_values";

    /** A thread whose ttl has run out by the instant bound first; nanoseconds cannot overflow (ttl is at most a year). */
    private static final String EXPIRED = "ttl_nanos IS NOT NULL AND updated_at + ttl_nanos <= ?";

    private final Transactions tx;

    JdbcThreadStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public ConversationThread create(ConversationThread thread) {
        boolean inserted = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO threads (" + COLUMNS
                    + ", owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                st.setString(8, ThreadQuery.ownerOf(thread.metadata()));
                Columns.setUuid(st, 1, thread.threadId());
                Columns.setInstant(st, 2, thread.createdAt());
                Columns.setInstant(st, 3, thread.updatedAt());
                Columns.setJson(st, 4, thread.metadata());
                st.setString(5, thread.status().wireName());
                Columns.setJson(st, 6, thread.config());
                Columns.setJson(st, 7, thread.values());
                return st.executeUpdate() == 1;
            }
        });
        if (!inserted) {
            throw new SwitchboardException.Conflict("thread_exists", "Thread " + thread.threadId() + " already exists");
        }
        return thread;
    }

    @Override
    public Optional<ConversationThread> get(UUID threadId) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM threads WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public ConversationThread update(ConversationThread thread) {
        int updated = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE threads SET created_at = ?, updated_at = ?, "
                    + "metadata = ?, status = ?, config = ?, state_values = ?, owner = ? WHERE thread_id = ?")) {
                Columns.setInstant(st, 1, thread.createdAt());
                Columns.setInstant(st, 2, thread.updatedAt());
                Columns.setJson(st, 3, thread.metadata());
                st.setString(4, thread.status().wireName());
                Columns.setJson(st, 5, thread.config());
                Columns.setJson(st, 6, thread.values());
                st.setString(7, ThreadQuery.ownerOf(thread.metadata()));
                Columns.setUuid(st, 8, thread.threadId());
                return st.executeUpdate();
            }
        });
        if (updated == 0) {
            throw SwitchboardException.NotFound.of("Thread", thread.threadId());
        }
        return thread;
    }

    @Override
    public boolean delete(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM threads WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void setTtl(UUID threadId, ThreadTtl ttl) {
        int updated = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE threads SET ttl_strategy = ?, ttl_nanos = ? WHERE thread_id = ?")) {
                st.setString(1, ttl == null ? null : ttl.strategy().wireName());
                if (ttl == null) {
                    st.setNull(2, java.sql.Types.BIGINT);
                } else {
                    st.setLong(2, ttl.after().toNanos());
                }
                Columns.setUuid(st, 3, threadId);
                return st.executeUpdate();
            }
        });
        if (updated == 0) {
            throw SwitchboardException.NotFound.of("Thread", threadId);
        }
    }

    @Override
    public Optional<ThreadTtl> ttl(UUID threadId) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT ttl_strategy, ttl_nanos FROM threads WHERE thread_id = ? AND ttl_nanos IS NOT NULL")) {
                Columns.setUuid(st, 1, threadId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(new ThreadTtl(ThreadTtl.Strategy.fromWire(rs.getString(1)),
                            java.time.Duration.ofNanos(rs.getLong(2)))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ThreadTtl.Expired> expired(java.time.Instant now, int limit) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT thread_id, ttl_strategy FROM threads WHERE "
                    + EXPIRED + " ORDER BY updated_at + ttl_nanos, thread_id LIMIT ?")) {
                Columns.setInstant(st, 1, now);
                st.setInt(2, limit);
                List<ThreadTtl.Expired> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ThreadTtl.Expired(Columns.getUuid(rs, "thread_id"),
                                ThreadTtl.Strategy.fromWire(rs.getString("ttl_strategy"))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean deleteIfExpired(UUID threadId, java.time.Instant now) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM threads WHERE " + EXPIRED + " AND thread_id = ?")) {
                Columns.setInstant(st, 1, now);
                Columns.setUuid(st, 2, threadId);
                return st.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean touchIfExpired(UUID threadId, java.time.Instant now) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE threads SET updated_at = ? WHERE " + EXPIRED + " AND thread_id = ?")) {
                Columns.setInstant(st, 1, now);
                Columns.setInstant(st, 2, now);
                Columns.setUuid(st, 3, threadId);
                return st.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<ConversationThread> search(ThreadQuery query) {
        if (query.ids() != null && query.ids().isEmpty()) {
            return List.of();
        }
        List<ConversationThread> page = new ArrayList<>();
        tx.read(c -> {
            scan(c, query, page::add);
            return null;
        });
        return page;
    }

    @Override
    public long count(ThreadQuery query) {
        if (query.ids() != null && query.ids().isEmpty()) {
            return 0;
        }
        if (!filtersInJava(query)) {
            return tx.read(c -> {
                Sql sql = where(query);
                try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM threads" + sql.text)) {
                    sql.bind(st);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        }
        long[] matched = {0};
        tx.read(c -> {
            scanAll(c, query, t -> {
                matched[0]++;
                return true;
            });
            return null;
        });
        return matched[0];
    }

    /** Feeds the page {@code q} asks for, in order, to {@code sink}. */
    private void scan(Connection c, ThreadQuery q, Consumer<ConversationThread> sink) throws SQLException {
        if (!filtersInJava(q)) {
            Sql sql = where(q);
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM threads" + sql.text
                    + orderBy(q) + " LIMIT ? OFFSET ?")) {
                int next = sql.bind(st);
                st.setInt(next, q.limit());
                st.setInt(next + 1, q.offset());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(read(rs));
                    }
                }
            }
            return;
        }
        int[] seen = {0};
        int[] taken = {0};
        scanAll(c, q, t -> {
            if (seen[0]++ >= q.offset()) {
                sink.accept(t);
                taken[0]++;
            }
            return taken[0] < q.limit();
        });
    }

    /**
     * Feeds every thread matching {@code q}, in its order and ignoring its page, to {@code sink} until it
     * answers false.
     */
    private void scanAll(Connection c, ThreadQuery q, Predicate<ConversationThread> sink) throws SQLException {
        Sql sql = where(q);
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM threads" + sql.text + orderBy(q))) {
            st.setFetchSize(Transactions.FETCH_SIZE);
            sql.bind(st);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ConversationThread t = read(rs);
                    if (Json.contains(t.metadata(), q.metadata())
                            && (q.values() == null || Json.contains(t.values(), q.values()))
                            && !sink.test(t)) {
                        return;
                    }
                }
            }
        }
    }

    private static boolean filtersInJava(ThreadQuery q) {
        return q.metadata() != null || q.values() != null;
    }

    /** The SQL part of a query's filter: status, owner (indexed) and ids. */
    private static Sql where(ThreadQuery q) {
        List<String> conditions = new ArrayList<>();
        List<String> params = new ArrayList<>();
        if (q.status() != null) {
            conditions.add("status = ?");
            params.add(q.status().wireName());
        }
        if (q.owner() != null) {
            conditions.add("owner = ?");
            params.add(q.owner());
        }
        if (q.ids() != null) {
            conditions.add("thread_id IN (" + String.join(", ", Collections.nCopies(q.ids().size(), "?")) + ")");
            q.ids().forEach(id -> params.add(id.toString()));
        }
        String text = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        return new Sql(text, params);
    }

    /** The sort key, then the id to make the order total; both reversed for descending, as in memory. */
    private static String orderBy(ThreadQuery q) {
        String column = switch (q.sortBy()) {
            case THREAD_ID -> "thread_id";
            case STATUS -> "status";
            case CREATED_AT -> "created_at";
            case UPDATED_AT -> "updated_at";
        };
        String direction = q.ascending() ? " ASC" : " DESC";
        return q.sortBy() == ThreadQuery.SortBy.THREAD_ID
                ? " ORDER BY thread_id" + direction
                : " ORDER BY " + column + direction + ", thread_id" + direction;
    }

    /** A WHERE clause and its string parameters, bound in order from index 1. */
    private record Sql(String text, List<String> params) {
        int bind(PreparedStatement st) throws SQLException {
            int i = 1;
            for (String p : params) {
                st.setString(i++, p);
            }
            return i;
        }
    }

    private static ConversationThread read(ResultSet rs) throws SQLException {
        return new ConversationThread(Columns.getUuid(rs, "thread_id"), Columns.getInstant(rs, "created_at"),
                Columns.getInstant(rs, "updated_at"), Columns.getObject(rs, "metadata"),
                ThreadStatus.fromWire(rs.getString("status")), Columns.getObject(rs, "config"),
                Columns.getObject(rs, "state_values"));
    }
}

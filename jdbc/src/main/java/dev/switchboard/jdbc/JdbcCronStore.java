package dev.switchboard.jdbc;

import dev.switchboard.SwitchboardException;
import dev.switchboard.cron.Cron;
import dev.switchboard.cron.CronQuery;
import dev.switchboard.cron.CronStore;
import dev.switchboard.cron.OnRunCompleted;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Crons in the {@code crons} table. The owner, assistant, thread and enabled filters and the order are SQL;
 * metadata containment runs in Java so it means exactly {@code Json.contains}. The firing claim is one
 * conditional UPDATE, which both engines make atomic on its own.
 */
final class JdbcCronStore implements CronStore {
    private static final String COLUMNS = "cron_id, assistant_id, thread_id, user_id, schedule, timezone, end_time, "
            + "on_run_completed, enabled, payload, metadata, next_run_at, created_at, updated_at";

    private final Transactions tx;

    JdbcCronStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Cron create(Cron cron) {
        boolean inserted = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO crons (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                bind(st, cron);
                return st.executeUpdate() == 1;
            }
        });
        if (!inserted) {
            throw new SwitchboardException.Conflict("cron_exists", "Cron " + cron.cronId() + " already exists");
        }
        return cron;
    }

    @Override
    public Optional<Cron> get(UUID cronId) {
        return tx.read(c -> one(c, cronId));
    }

    private static Optional<Cron> one(Connection c, UUID cronId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM crons WHERE cron_id = ?")) {
            Columns.setUuid(st, 1, cronId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public Cron update(Cron cron) {
        int updated = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE crons SET assistant_id = ?, thread_id = ?, "
                    + "user_id = ?, schedule = ?, timezone = ?, end_time = ?, on_run_completed = ?, enabled = ?, "
                    + "payload = ?, metadata = ?, next_run_at = ?, created_at = ?, updated_at = ? WHERE cron_id = ?")) {
                bindFrom(st, 1, cron);
                Columns.setUuid(st, 14, cron.cronId());
                return st.executeUpdate();
            }
        });
        if (updated == 0) {
            throw SwitchboardException.NotFound.of("Cron", cron.cronId());
        }
        return cron;
    }

    @Override
    public boolean delete(UUID cronId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM crons WHERE cron_id = ?")) {
                Columns.setUuid(st, 1, cronId);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int deleteByThread(UUID threadId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM crons WHERE thread_id = ?")) {
                Columns.setUuid(st, 1, threadId);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public List<Cron> search(CronQuery query) {
        return tx.read(c -> scan(c, query, query.offset(), query.limit()));
    }

    @Override
    public long count(CronQuery query) {
        return tx.read(c -> scan(c, query, 0, Integer.MAX_VALUE)).size();
    }

    private static List<Cron> scan(Connection c, CronQuery q, int offset, int limit) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (q.assistantId() != null) {
            where.add("assistant_id = ?");
            args.add(q.assistantId().toString());
        }
        if (q.threadId() != null) {
            where.add("thread_id = ?");
            args.add(q.threadId().toString());
        }
        if (q.userId() != null) {
            where.add("user_id = ?");
            args.add(q.userId());
        }
        if (q.enabled() != null) {
            where.add("enabled = ?");
            args.add(q.enabled() ? 1 : 0);
        }
        String direction = q.descending() ? " DESC" : " ASC";
        // NULLs first ascending, as CronQuery#order says; both engines accept the explicit form.
        String nulls = q.descending() ? " NULLS LAST" : " NULLS FIRST";
        String sql = "SELECT " + COLUMNS + " FROM crons" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY " + q.sortBy().column() + direction + nulls + ", cron_id" + direction;
        List<Cron> page = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setFetchSize(Transactions.FETCH_SIZE);
            for (int i = 0; i < args.size(); i++) {
                st.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = st.executeQuery()) {
                int skipped = 0;
                while (page.size() < limit && rs.next()) {
                    Cron cron = read(rs);
                    if (!q.matches(cron)) {
                        continue;
                    }
                    if (skipped < offset) {
                        skipped++;
                    } else {
                        page.add(cron);
                    }
                }
            }
        }
        return page;
    }

    @Override
    public List<Cron> due(Instant now, int limit) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM crons WHERE enabled = 1 AND "
                    + "next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at, cron_id LIMIT ?")) {
                Columns.setInstant(st, 1, now);
                st.setInt(2, limit);
                List<Cron> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT MIN(next_run_at) AS next FROM crons WHERE enabled = 1 AND next_run_at IS NOT NULL");
                    ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.ofNullable(Columns.getInstant(rs, "next")) : Optional.empty();
            }
        });
    }

    @Override
    public Optional<Cron> claim(UUID cronId, Instant expectedNext, Instant newNext) {
        if (expectedNext == null) {
            return Optional.empty();
        }
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE crons SET next_run_at = ? WHERE cron_id = ? AND "
                    + "enabled = 1 AND next_run_at = ?")) {
                Columns.setInstant(st, 1, newNext);
                Columns.setUuid(st, 2, cronId);
                Columns.setInstant(st, 3, expectedNext);
                if (st.executeUpdate() == 0) {
                    return Optional.<Cron>empty();
                }
            }
            return one(c, cronId);
        });
    }

    private static void bind(PreparedStatement st, Cron cron) throws SQLException {
        Columns.setUuid(st, 1, cron.cronId());
        bindFrom(st, 2, cron);
    }

    /** Every column but the id, from {@code first} on, in {@link #COLUMNS} order. */
    private static void bindFrom(PreparedStatement st, int first, Cron cron) throws SQLException {
        int i = first;
        Columns.setUuid(st, i++, cron.assistantId());
        Columns.setUuid(st, i++, cron.threadId());
        setText(st, i++, cron.userId());
        st.setString(i++, cron.schedule());
        setText(st, i++, cron.timezone());
        Columns.setInstant(st, i++, cron.endTime());
        setText(st, i++, cron.onRunCompleted() == null ? null : cron.onRunCompleted().wireName());
        st.setInt(i++, cron.enabled() ? 1 : 0);
        Columns.setJson(st, i++, cron.payload());
        Columns.setJson(st, i++, cron.metadata());
        Columns.setInstant(st, i++, cron.nextRunAt());
        Columns.setInstant(st, i++, cron.createdAt());
        Columns.setInstant(st, i, cron.updatedAt());
    }

    private static void setText(PreparedStatement st, int index, String value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.VARCHAR);
        } else {
            st.setString(index, value);
        }
    }

    private static Cron read(ResultSet rs) throws SQLException {
        String onCompleted = rs.getString("on_run_completed");
        UUID threadId = Columns.getUuid(rs, "thread_id");
        return new Cron(Columns.getUuid(rs, "cron_id"), Columns.getUuid(rs, "assistant_id"), threadId,
                rs.getString("user_id"), rs.getString("schedule"), rs.getString("timezone"),
                Columns.getInstant(rs, "end_time"),
                onCompleted == null || threadId != null ? null : OnRunCompleted.fromWire(onCompleted),
                rs.getInt("enabled") == 1, Columns.getObject(rs, "payload"), Columns.getObject(rs, "metadata"),
                Columns.getInstant(rs, "next_run_at"), Columns.getInstant(rs, "created_at"),
                Columns.getInstant(rs, "updated_at"));
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.assistant.AssistantQuery;
import dev.switchboard.assistant.AssistantStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Assistants in the {@code assistants} table. The graph id filters in SQL; metadata containment and the
 * case-insensitive name match run in Java, so they mean exactly what {@link Json#contains} and
 * {@link String#toLowerCase(Locale)} mean, whatever the engine's collation or JSON support.
 */
final class JdbcAssistantStore implements AssistantStore {
    private static final String COLUMNS =
            "assistant_id, graph_id, config, context, metadata, version, name, description, created_at, updated_at";

    private static final String VERSION_COLUMNS =
            "assistant_id, version, graph_id, config, context, metadata, name, description, created_at";

    private final Transactions tx;

    JdbcAssistantStore(Transactions tx) {
        this.tx = tx;
    }

    @Override
    public Assistant create(Assistant assistant) {
        boolean inserted = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO assistants (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                bind(st, assistant);
                if (st.executeUpdate() != 1) {
                    return false;
                }
            }
            putVersion(c, assistant);
            return true;
        });
        if (!inserted) {
            throw new SwitchboardException.Conflict("assistant_exists",
                    "Assistant " + assistant.assistantId() + " already exists");
        }
        return assistant;
    }

    @Override
    public Optional<Assistant> get(UUID assistantId) {
        return tx.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM assistants WHERE assistant_id = ?")) {
                Columns.setUuid(st, 1, assistantId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Assistant update(Assistant assistant) {
        int updated = tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE assistants SET graph_id = ?, config = ?, "
                    + "context = ?, metadata = ?, version = ?, name = ?, description = ?, created_at = ?, "
                    + "updated_at = ? WHERE assistant_id = ?")) {
                st.setString(1, assistant.graphId());
                Columns.setJson(st, 2, assistant.config());
                Columns.setJson(st, 3, assistant.context());
                Columns.setJson(st, 4, assistant.metadata());
                st.setInt(5, assistant.version());
                st.setString(6, assistant.name());
                st.setString(7, assistant.description());
                Columns.setInstant(st, 8, assistant.createdAt());
                Columns.setInstant(st, 9, assistant.updatedAt());
                Columns.setUuid(st, 10, assistant.assistantId());
                int n = st.executeUpdate();
                if (n > 0) {
                    putVersion(c, assistant);
                }
                return n;
            }
        });
        if (updated == 0) {
            throw SwitchboardException.NotFound.of("Assistant", assistant.assistantId());
        }
        return assistant;
    }

    @Override
    public boolean delete(UUID assistantId) {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM assistant_versions WHERE assistant_id = ?")) {
                Columns.setUuid(st, 1, assistantId);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM assistants WHERE assistant_id = ?")) {
                Columns.setUuid(st, 1, assistantId);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Assistant> versions(UUID assistantId, com.fasterxml.jackson.databind.node.ObjectNode metadata,
            int limit, int offset) {
        return tx.read(c -> {
            Assistant live = get(c, assistantId);
            if (live == null) {
                return List.of();
            }
            List<Assistant> page = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + VERSION_COLUMNS
                    + " FROM assistant_versions WHERE assistant_id = ? ORDER BY version DESC")) {
                Columns.setUuid(st, 1, assistantId);
                try (ResultSet rs = st.executeQuery()) {
                    int skipped = 0;
                    while (page.size() < limit && rs.next()) {
                        Assistant v = readVersion(rs, live);
                        if (!Json.contains(v.metadata(), metadata)) {
                            continue;
                        }
                        if (skipped < offset) {
                            skipped++;
                        } else {
                            page.add(v);
                        }
                    }
                }
            }
            return page;
        });
    }

    @Override
    public Assistant setLatest(UUID assistantId, int version) {
        Assistant next = tx.write(c -> {
            Assistant live = get(c, assistantId);
            if (live == null) {
                return null;
            }
            Assistant chosen;
            try (PreparedStatement st = c.prepareStatement("SELECT " + VERSION_COLUMNS
                    + " FROM assistant_versions WHERE assistant_id = ? AND version = ?")) {
                Columns.setUuid(st, 1, assistantId);
                st.setInt(2, version);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    chosen = readVersion(rs, live);
                }
            }
            try (PreparedStatement st = c.prepareStatement("UPDATE assistants SET graph_id = ?, config = ?, "
                    + "context = ?, metadata = ?, version = ?, name = ?, description = ?, updated_at = ? "
                    + "WHERE assistant_id = ?")) {
                st.setString(1, chosen.graphId());
                Columns.setJson(st, 2, chosen.config());
                Columns.setJson(st, 3, chosen.context());
                Columns.setJson(st, 4, chosen.metadata());
                st.setInt(5, version);
                st.setString(6, chosen.name());
                st.setString(7, chosen.description());
                Columns.setInstant(st, 8, chosen.updatedAt());
                Columns.setUuid(st, 9, assistantId);
                st.executeUpdate();
            }
            return chosen;
        });
        if (next == null) {
            throw new SwitchboardException.NotFound("Assistant " + assistantId + " has no version " + version);
        }
        return next;
    }

    private static Assistant get(Connection c, UUID assistantId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM assistants WHERE assistant_id = ?")) {
            Columns.setUuid(st, 1, assistantId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    /** Records {@code a} as its version {@code a.version()}, replacing a stored version of that number. */
    private static void putVersion(Connection c, Assistant a) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "DELETE FROM assistant_versions WHERE assistant_id = ? AND version = ?")) {
            Columns.setUuid(st, 1, a.assistantId());
            st.setInt(2, a.version());
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO assistant_versions (" + VERSION_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            Columns.setUuid(st, 1, a.assistantId());
            st.setInt(2, a.version());
            st.setString(3, a.graphId());
            Columns.setJson(st, 4, a.config());
            Columns.setJson(st, 5, a.context());
            Columns.setJson(st, 6, a.metadata());
            st.setString(7, a.name());
            st.setString(8, a.description());
            Columns.setInstant(st, 9, a.updatedAt());
            st.executeUpdate();
        }
    }

    /** A version row as an assistant: created when the assistant was, updated when the version was made. */
    private static Assistant readVersion(ResultSet rs, Assistant live) throws SQLException {
        return new Assistant(Columns.getUuid(rs, "assistant_id"), rs.getString("graph_id"),
                Columns.getObject(rs, "config"), Columns.getObject(rs, "context"), Columns.getObject(rs, "metadata"),
                rs.getInt("version"), rs.getString("name"), rs.getString("description"), live.createdAt(),
                Columns.getInstant(rs, "created_at"));
    }

    @Override
    public List<Assistant> search(AssistantQuery query) {
        return tx.read(c -> scan(c, query, query.offset(), query.limit()));
    }

    @Override
    public long count(AssistantQuery query) {
        return tx.read(c -> scan(c, query, 0, Integer.MAX_VALUE)).size();
    }

    /** The matching assistants, oldest first, {@code offset} skipped and at most {@code limit} kept. */
    private List<Assistant> scan(Connection c, AssistantQuery q, int offset, int limit) throws SQLException {
        Predicate<Assistant> inJava = javaFilter(q);
        String sql = "SELECT " + COLUMNS + " FROM assistants"
                + (q.graphId() == null ? "" : " WHERE graph_id = ?")
                + " ORDER BY created_at, assistant_id";
        List<Assistant> page = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setFetchSize(Transactions.FETCH_SIZE);
            if (q.graphId() != null) {
                st.setString(1, q.graphId());
            }
            try (ResultSet rs = st.executeQuery()) {
                int skipped = 0;
                while (page.size() < limit && rs.next()) {
                    Assistant a = read(rs);
                    if (!inJava.test(a)) {
                        continue;
                    }
                    if (skipped < offset) {
                        skipped++;
                    } else {
                        page.add(a);
                    }
                }
            }
        }
        return page;
    }

    private static Predicate<Assistant> javaFilter(AssistantQuery q) {
        String name = q.name() == null ? null : q.name().toLowerCase(Locale.ROOT);
        return a -> Json.contains(a.metadata(), q.metadata())
                && (name == null || a.name().toLowerCase(Locale.ROOT).contains(name));
    }

    private static void bind(PreparedStatement st, Assistant a) throws SQLException {
        Columns.setUuid(st, 1, a.assistantId());
        st.setString(2, a.graphId());
        Columns.setJson(st, 3, a.config());
        Columns.setJson(st, 4, a.context());
        Columns.setJson(st, 5, a.metadata());
        st.setInt(6, a.version());
        st.setString(7, a.name());
        st.setString(8, a.description());
        Columns.setInstant(st, 9, a.createdAt());
        Columns.setInstant(st, 10, a.updatedAt());
    }

    private static Assistant read(ResultSet rs) throws SQLException {
        return new Assistant(Columns.getUuid(rs, "assistant_id"), rs.getString("graph_id"),
                Columns.getObject(rs, "config"), Columns.getObject(rs, "context"), Columns.getObject(rs, "metadata"),
                rs.getInt("version"), rs.getString("name"), rs.getString("description"),
                Columns.getInstant(rs, "created_at"), Columns.getInstant(rs, "updated_at"));
    }
}

package dev.switchboard.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How the runtime's values are kept in columns (see the conventions at the top of the V1 migration): ids
 * as canonical UUID text, instants as BIGINT nanoseconds since the epoch, JSON as the text Jackson writes.
 */
final class Columns {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Columns() {
    }

    static long nanos(Instant instant) {
        try {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), NANOS_PER_SECOND), instant.getNano());
        } catch (ArithmeticException e) {
            // Nanoseconds in a BIGINT reach from 1677 to 2262; Instant.now() is far inside, an absurd TTL is not.
            throw new IllegalArgumentException("instant " + instant + " is outside the years 1678 to 2261 a database column can hold", e);
        }
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    static boolean fitsInColumn(Instant instant) {
        try {
            nanos(instant);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void setInstant(PreparedStatement st, int index, Instant instant) throws SQLException {
        if (instant == null) {
            st.setNull(index, Types.BIGINT);
        } else {
            st.setLong(index, nanos(instant));
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : instant(value);
    }

    static void setUuid(PreparedStatement st, int index, UUID id) throws SQLException {
        if (id == null) {
            st.setNull(index, Types.VARCHAR);
        } else {
            st.setString(index, id.toString());
        }
    }

    static UUID getUuid(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : UUID.fromString(text);
    }

    static void setJson(PreparedStatement st, int index, JsonNode value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.VARCHAR);
        } else {
            st.setString(index, Json.write(value));
        }
    }

    /** The object stored in {@code column}, or null for SQL NULL. */
    static ObjectNode getObject(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : (ObjectNode) Json.parse(text);
    }

    static void setStrings(PreparedStatement st, int index, List<String> values) throws SQLException {
        ArrayNode array = Json.array();
        values.forEach(array::add);
        st.setString(index, Json.write(array));
    }

    static List<String> getStrings(ResultSet rs, String column) throws SQLException {
        List<String> values = new ArrayList<>();
        for (JsonNode node : Json.parse(rs.getString(column))) {
            values.add(node.asText());
        }
        return values;
    }
}

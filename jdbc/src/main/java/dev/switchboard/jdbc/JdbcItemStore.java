package dev.switchboard.jdbc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.store.Item;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.store.NamespaceQuery;
import dev.switchboard.store.ScoredItem;
import dev.switchboard.store.SearchQuery;
import dev.switchboard.store.StoreIndex;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Store items in the {@code store_items} table, one row per namespace and key. A namespace is kept as its
 * dotted form, which is unambiguous because labels cannot contain a dot; a prefix then matches by a range
 * of that text ({@code >= 'a.b.'} and {@code < 'a.b/'}, '/' being the character after '.'), which an index
 * serves. Expired rows stay until {@link #purgeExpired} but are invisible to every read.
 *
 * <p>The value filter and the exact result order ({@link SearchQuery#RESULT_ORDER}, which breaks ties by
 * UTF-16 code units) are applied in Java over rows SQL has already ordered by time, so the answers are
 * those of the in-memory store to the item.
 */
final class JdbcItemStore implements ItemStore {
    private static final String COLUMNS = "namespace, item_key, item_value, created_at, updated_at, expires_at";
    private static final String LIVE = "(expires_at IS NULL OR expires_at > ?)";

    private final Transactions tx;
    private final Clock clock;

    JdbcItemStore(Transactions tx, Clock clock) {
        this.tx = tx;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Item put(Namespace ns, String key, ObjectNode value, Duration ttl, float[] embedding) {
        ItemStore.checkPut(ns, key, value, ttl);
        return tx.write(c -> {
            // Writers of one key queue here, and read the clock only once at the front, so successive writes
            // to a key see non-decreasing times.
            tx.lock(c, Transactions.lockKey("store_items", ns.dotted(), key));
            Instant now = clock.instant();
            Instant expiresAt = ItemStore.expiryFor(now, ttl);
            if (expiresAt != null && !Columns.fitsInColumn(expiresAt)) {
                throw new SwitchboardException.InvalidRequest("invalid_ttl",
                        "ttl is too large: " + ttl + " (an item can expire in the year 2261 at the latest)");
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO store_items (" + COLUMNS
                    + ", embedding, ttl_nanos) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, item_key) "
                    + "DO UPDATE SET item_value = excluded.item_value, updated_at = excluded.updated_at, "
                    + "embedding = excluded.embedding, ttl_nanos = excluded.ttl_nanos, "
                    + "expires_at = excluded.expires_at, "
                    // An expired item is gone: writing its key again starts a new one.
                    + "created_at = CASE WHEN store_items.expires_at IS NOT NULL AND store_items.expires_at <= ? "
                    + "THEN excluded.created_at ELSE store_items.created_at END")) {
                st.setString(1, ns.dotted());
                st.setString(2, key);
                Columns.setJson(st, 3, value);
                Columns.setInstant(st, 4, now);
                Columns.setInstant(st, 5, now);
                Columns.setInstant(st, 6, expiresAt);
                st.setString(7, encode(embedding));
                if (ttl == null) {
                    st.setNull(8, java.sql.Types.BIGINT);
                } else {
                    st.setLong(8, ttl.toNanos());
                }
                Columns.setInstant(st, 9, now);
                st.executeUpdate();
            }
            return find(c, ns, key, now).orElseThrow();
        });
    }

    @Override
    public Optional<Item> get(Namespace ns, String key) {
        ItemStore.checkNamespace(ns);
        ItemStore.checkKey(key);
        return tx.read(c -> find(c, ns, key, clock.instant()));
    }

    @Override
    public boolean delete(Namespace ns, String key) {
        ItemStore.checkNamespace(ns);
        ItemStore.checkKey(key);
        return tx.write(c -> {
            boolean live = find(c, ns, key, clock.instant()).isPresent();
            try (PreparedStatement st = c.prepareStatement("DELETE FROM store_items WHERE namespace = ? AND item_key = ?")) {
                st.setString(1, ns.dotted());
                st.setString(2, key);
                st.executeUpdate();
            }
            return live;
        });
    }

    @Override
    public List<Item> search(SearchQuery q) {
        Objects.requireNonNull(q, "query");
        return tx.read(c -> {
            Prefix prefix = Prefix.of(q.namespacePrefix());
            Page page = new Page(q);
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM store_items WHERE " + LIVE
                    + prefix.condition + " ORDER BY updated_at DESC")) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                Columns.setInstant(st, 1, clock.instant());
                prefix.bind(st, 2);
                try (ResultSet rs = st.executeQuery()) {
                    // Rows come newest first. Those written at the same instant are gathered and put in the exact
                    // RESULT_ORDER before filtering and paging, so a tie never depends on the SQL collation.
                    List<Item> sameInstant = new ArrayList<>();
                    while (!page.full() && rs.next()) {
                        Item row = read(rs);
                        if (!sameInstant.isEmpty() && !sameInstant.getFirst().updatedAt().equals(row.updatedAt())) {
                            page.offerAll(sameInstant);
                        }
                        sameInstant.add(row);
                    }
                    page.offerAll(sameInstant);
                }
            }
            return page.items;
        });
    }

    @Override
    public int refreshTtl(java.util.Collection<Item> read) {
        // Items read without an expiry have no ttl to refresh: a read of those costs no write (reads refresh by
        // default, so this is the common case).
        List<Item> items = read.stream().filter(i -> i.expiresAt() != null).toList();
        if (items.isEmpty()) {
            return 0;
        }
        return tx.write(c -> {
            Instant now = clock.instant();
            // One batch in one transaction: expires_at moves to now plus the item's own ttl, live items only.
            try (PreparedStatement st = c.prepareStatement("UPDATE store_items SET expires_at = ? + ttl_nanos "
                    + "WHERE namespace = ? AND item_key = ? AND ttl_nanos IS NOT NULL AND expires_at > ?")) {
                for (Item item : items) {
                    Columns.setInstant(st, 1, now);
                    st.setString(2, item.namespace().dotted());
                    st.setString(3, item.key());
                    Columns.setInstant(st, 4, now);
                    st.addBatch();
                }
                int refreshed = 0;
                for (int n : st.executeBatch()) {
                    refreshed += n > 0 ? 1 : 0;
                }
                return refreshed;
            }
        });
    }

    @Override
    public List<ScoredItem> searchSimilar(SearchQuery q, float[] query) {
        Objects.requireNonNull(q, "query");
        return tx.read(c -> {
            Prefix prefix = Prefix.of(q.namespacePrefix());
            List<ScoredItem> hits = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + ", embedding FROM store_items WHERE "
                    + LIVE + prefix.condition + " AND embedding IS NOT NULL")) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                Columns.setInstant(st, 1, clock.instant());
                prefix.bind(st, 2);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        float[] vector = decode(rs.getString("embedding"));
                        if (vector.length != query.length) {
                            continue;
                        }
                        Item item = read(rs);
                        if (q.matches(item)) {
                            hits.add(new ScoredItem(item, StoreIndex.cosine(vector, query)));
                        }
                    }
                }
            }
            hits.sort(java.util.Comparator.comparingDouble(ScoredItem::score).reversed()
                    .thenComparing(ScoredItem::item, SearchQuery.RESULT_ORDER));
            return hits.stream().skip(q.offset()).limit(q.limit()).toList();
        });
    }

    /** A vector as its little-endian float32 bytes in Base64; null stays null. */
    static String encode(float[] vector) {
        if (vector == null) {
            return null;
        }
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(vector.length * Float.BYTES)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : vector) {
            bytes.putFloat(f);
        }
        return java.util.Base64.getEncoder().encodeToString(bytes.array());
    }

    static float[] decode(String text) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(text))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] vector = new float[bytes.remaining() / Float.BYTES];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = bytes.getFloat();
        }
        return vector;
    }

    @Override
    public List<List<String>> listNamespaces(NamespaceQuery q) {
        Objects.requireNonNull(q, "query");
        return tx.read(c -> {
            Prefix prefix = Prefix.of(q.prefix());
            Set<Namespace> live = new HashSet<>();
            try (PreparedStatement st = c.prepareStatement("SELECT DISTINCT namespace FROM store_items WHERE " + LIVE
                    + prefix.condition)) {
                st.setFetchSize(Transactions.FETCH_SIZE);
                Columns.setInstant(st, 1, clock.instant());
                prefix.bind(st, 2);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        live.add(Namespace.parseDotted(rs.getString(1)));
                    }
                }
            }
            // Suffix, truncation, merging, order and page exactly as the port defines them.
            return q.apply(live);
        });
    }

    @Override
    public int purgeExpired() {
        return tx.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM store_items WHERE expires_at IS NOT NULL AND expires_at <= ?")) {
                Columns.setInstant(st, 1, clock.instant());
                return st.executeUpdate();
            }
        });
    }

    private static Optional<Item> find(Connection c, Namespace ns, String key, Instant now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
                + " FROM store_items WHERE namespace = ? AND item_key = ? AND " + LIVE)) {
            st.setString(1, ns.dotted());
            st.setString(2, key);
            Columns.setInstant(st, 3, now);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Item read(ResultSet rs) throws SQLException {
        return new Item(Namespace.parseDotted(rs.getString("namespace")), rs.getString("item_key"),
                Columns.getObject(rs, "item_value"), Columns.getInstant(rs, "created_at"),
                Columns.getInstant(rs, "updated_at"), Columns.getInstant(rs, "expires_at"));
    }

    /** Collects one page of a search: items that match, after skipping the offset, up to the limit. */
    private static final class Page {
        private final SearchQuery query;
        private final List<Item> items = new ArrayList<>();
        private int skipped;

        Page(SearchQuery query) {
            this.query = query;
        }

        boolean full() {
            return items.size() >= query.limit();
        }

        /** Offers items of one instant, putting them in result order first; empties {@code sameInstant}. */
        void offerAll(List<Item> sameInstant) {
            sameInstant.sort(SearchQuery.RESULT_ORDER);
            for (Item item : sameInstant) {
                if (full()) {
                    break;
                }
                if (!query.matches(item)) {
                    continue;
                }
                if (skipped < query.offset()) {
                    skipped++;
                } else {
                    items.add(item);
                }
            }
            sameInstant.clear();
        }
    }

    /** A namespace-prefix condition on the dotted column: the namespace itself or anything below it. */
    private record Prefix(String condition, String exact) {
        static Prefix of(List<String> labels) {
            if (labels.isEmpty()) {
                return new Prefix("", null);
            }
            return new Prefix(" AND (namespace = ? OR (namespace >= ? AND namespace < ?))", String.join(".", labels));
        }

        void bind(PreparedStatement st, int from) throws SQLException {
            if (exact != null) {
                st.setString(from, exact);
                st.setString(from + 1, exact + ".");
                st.setString(from + 2, exact + "/");
            }
        }
    }
}

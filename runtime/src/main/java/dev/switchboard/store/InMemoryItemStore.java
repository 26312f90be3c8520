package dev.switchboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link ItemStore} in one hash map, for tests and single-process use; nothing survives a restart.
 * Searches and listings scan every item, which is fine for the thousands of items such uses hold.
 *
 * <p>Items are handed out as fresh copies, so a caller editing a returned value changes nothing here.
 */
public final class InMemoryItemStore implements ItemStore {

    private record Address(Namespace namespace, String key) {
    }

    /** An item with its vector (null: not indexed), replaced together so a reader never sees one without the other. */
    private record Stored(Item item, float[] embedding, Duration ttl) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<Address, Stored> items = new ConcurrentHashMap<>();

    public InMemoryItemStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Item put(Namespace ns, String key, ObjectNode value, Duration ttl, float[] embedding) {
        ItemStore.checkPut(ns, key, value, ttl);
        float[] vector = embedding == null ? null : embedding.clone();
        Stored stored = items.compute(new Address(ns, key), (address, previous) -> {
            // Read inside the per-key update so that successive writes to one key see non-decreasing times.
            Instant now = clock.instant();
            Item old = previous == null ? null : previous.item();
            Instant createdAt = old == null || old.isExpiredAt(now) ? now : old.createdAt();
            return new Stored(new Item(ns, key, value, createdAt, now, ItemStore.expiryFor(now, ttl)), vector, ttl);
        });
        return copyOf(stored.item());
    }

    @Override
    public List<ScoredItem> searchSimilar(SearchQuery q, float[] query) {
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        return items.values().stream()
                .filter(s -> s.embedding() != null && s.embedding().length == query.length
                        && !s.item().isExpiredAt(now) && q.matches(s.item()))
                .map(s -> new ScoredItem(copyOf(s.item()), StoreIndex.cosine(s.embedding(), query)))
                .sorted(SIMILAR_ORDER)
                .skip(q.offset())
                .limit(q.limit())
                .toList();
    }

    /** Most similar first, ties as {@link SearchQuery#RESULT_ORDER}. */
    static final java.util.Comparator<ScoredItem> SIMILAR_ORDER = java.util.Comparator
            .comparingDouble(ScoredItem::score).reversed()
            .thenComparing(ScoredItem::item, SearchQuery.RESULT_ORDER);

    @Override
    public Optional<Item> get(Namespace ns, String key) {
        Address address = new Address(ItemStore.checkNamespace(ns), ItemStore.checkKey(key));
        Stored stored = items.get(address);
        if (stored == null) {
            return Optional.empty();
        }
        Item item = stored.item();
        if (item.isExpiredAt(clock.instant())) {
            // Two-argument remove, so a put that has just replaced it is not undone.
            items.remove(address, stored);
            return Optional.empty();
        }
        return Optional.of(copyOf(item));
    }

    @Override
    public boolean delete(Namespace ns, String key) {
        Stored removed = items.remove(new Address(ItemStore.checkNamespace(ns), ItemStore.checkKey(key)));
        return removed != null && !removed.item().isExpiredAt(clock.instant());
    }

    @Override
    public List<Item> search(SearchQuery q) {
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        return items.values().stream()
                .map(Stored::item)
                .filter(item -> !item.isExpiredAt(now) && q.matches(item))
                .sorted(SearchQuery.RESULT_ORDER)
                .skip(q.offset())
                .limit(q.limit())
                .map(InMemoryItemStore::copyOf)
                .toList();
    }

    @Override
    public List<List<String>> listNamespaces(NamespaceQuery q) {
        Objects.requireNonNull(q, "query");
        Instant now = clock.instant();
        Set<Namespace> live = new HashSet<>();
        for (Stored stored : items.values()) {
            if (!stored.item().isExpiredAt(now)) {
                live.add(stored.item().namespace());
            }
        }
        return q.apply(live);
    }

    @Override
    public int refreshTtl(java.util.Collection<Item> toRefresh) {
        int refreshed = 0;
        for (Item wanted : toRefresh) {
            boolean[] done = {false};
            items.computeIfPresent(new Address(wanted.namespace(), wanted.key()), (address, s) -> {
                Instant now = clock.instant();
                if (s.ttl() == null || s.item().isExpiredAt(now)) {
                    return s;
                }
                Item i = s.item();
                done[0] = true;
                return new Stored(new Item(i.namespace(), i.key(), i.value(), i.createdAt(), i.updatedAt(),
                        ItemStore.expiryFor(now, s.ttl())), s.embedding(), s.ttl());
            });
            refreshed += done[0] ? 1 : 0;
        }
        return refreshed;
    }

    @Override
    public int purgeExpired() {
        Instant now = clock.instant();
        int purged = 0;
        for (Map.Entry<Address, Stored> entry : items.entrySet()) {
            if (entry.getValue().item().isExpiredAt(now) && items.remove(entry.getKey(), entry.getValue())) {
                purged++;
            }
        }
        return purged;
    }

    private static Item copyOf(Item item) {
        return new Item(item.namespace(), item.key(), item.value(), item.createdAt(), item.updatedAt(), item.expiresAt());
    }
}

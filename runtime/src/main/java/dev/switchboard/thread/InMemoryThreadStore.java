package dev.switchboard.thread;

import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Threads in a concurrent map: for tests and for a server that needs no durability. */
public final class InMemoryThreadStore implements ThreadStore {
    private final ConcurrentHashMap<UUID, ConversationThread> threads = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, ThreadTtl> ttls = new ConcurrentHashMap<>();

    @Override
    public ConversationThread create(ConversationThread thread) {
        if (threads.putIfAbsent(thread.threadId(), copy(thread)) != null) {
            throw new SwitchboardException.Conflict("thread_exists", "Thread " + thread.threadId() + " already exists");
        }
        return thread;
    }

    @Override
    public Optional<ConversationThread> get(UUID threadId) {
        return Optional.ofNullable(threads.get(threadId)).map(InMemoryThreadStore::copy);
    }

    @Override
    public ConversationThread update(ConversationThread thread) {
        if (threads.computeIfPresent(thread.threadId(), (id, old) -> copy(thread)) == null) {
            throw SwitchboardException.NotFound.of("Thread", thread.threadId());
        }
        return thread;
    }

    @Override
    public boolean delete(UUID threadId) {
        ttls.remove(threadId);
        return threads.remove(threadId) != null;
    }

    @Override
    public void setTtl(UUID threadId, ThreadTtl ttl) {
        // Under the thread's map entry, so a ttl never outlives a concurrently deleted thread.
        if (threads.computeIfPresent(threadId, (id, t) -> {
            if (ttl == null) {
                ttls.remove(id);
            } else {
                ttls.put(id, ttl);
            }
            return t;
        }) == null) {
            throw SwitchboardException.NotFound.of("Thread", threadId);
        }
    }

    @Override
    public Optional<ThreadTtl> ttl(UUID threadId) {
        return Optional.ofNullable(ttls.get(threadId));
    }

    @Override
    public List<ThreadTtl.Expired> expired(java.time.Instant now, int limit) {
        record Due(ThreadTtl.Expired expired, java.time.Instant at) { }
        List<Due> due = new java.util.ArrayList<>();
        ttls.forEach((id, ttl) -> {
            ConversationThread t = threads.get(id);
            java.time.Instant at = t == null ? null : t.updatedAt().plus(ttl.after());
            if (at != null && !at.isAfter(now)) {
                due.add(new Due(new ThreadTtl.Expired(id, ttl.strategy()), at));
            }
        });
        return due.stream().sorted(Comparator.comparing(Due::at)).limit(limit).map(Due::expired).toList();
    }

    @Override
    public boolean deleteIfExpired(UUID threadId, java.time.Instant now) {
        boolean[] deleted = {false};
        threads.computeIfPresent(threadId, (id, t) -> {
            if (isExpired(t, now)) {
                ttls.remove(id);
                deleted[0] = true;
                return null;
            }
            return t;
        });
        return deleted[0];
    }

    @Override
    public boolean touchIfExpired(UUID threadId, java.time.Instant now) {
        boolean[] touched = {false};
        threads.computeIfPresent(threadId, (id, t) -> {
            if (isExpired(t, now)) {
                touched[0] = true;
                return new ConversationThread(t.threadId(), t.createdAt(), now, t.metadata(), t.status(), t.config(),
                        t.values());
            }
            return t;
        });
        return touched[0];
    }

    private boolean isExpired(ConversationThread t, java.time.Instant now) {
        ThreadTtl ttl = ttls.get(t.threadId());
        return ttl != null && !t.updatedAt().plus(ttl.after()).isAfter(now);
    }

    @Override
    public List<ConversationThread> search(ThreadQuery query) {
        return matching(query).skip(query.offset()).limit(query.limit()).map(InMemoryThreadStore::copy).toList();
    }

    @Override
    public long count(ThreadQuery query) {
        return matching(query).count();
    }

    private Stream<ConversationThread> matching(ThreadQuery q) {
        Comparator<ConversationThread> order = switch (q.sortBy()) {
            case THREAD_ID -> Comparator.comparing(ConversationThread::threadId, InMemoryThreadStore::compareIds);
            case STATUS -> Comparator.comparing((ConversationThread t) -> t.status().wireName());
            case CREATED_AT -> Comparator.comparing(ConversationThread::createdAt);
            case UPDATED_AT -> Comparator.comparing(ConversationThread::updatedAt);
        };
        order = order.thenComparing(ConversationThread::threadId, InMemoryThreadStore::compareIds);
        if (!q.ascending()) {
            order = order.reversed();
        }
        return threads.values().stream()
                .filter(t -> q.ids() == null || q.ids().contains(t.threadId()))
                .filter(t -> q.status() == null || t.status() == q.status())
                .filter(t -> q.owner() == null || q.owner().equals(ThreadQuery.ownerOf(t.metadata())))
                .filter(t -> Json.contains(t.metadata(), q.metadata()))
                .filter(t -> q.values() == null || Json.contains(t.values(), q.values()))
                .sorted(order);
    }

    /**
     * Ids in the order of their canonical text, which is PostgreSQL's uuid order; {@link UUID#compareTo}
     * compares signed halves and so disagrees for ids whose first hex digit is 8 or more.
     */
    private static int compareIds(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** A deep copy (the record's constructor copies its JSON), so nobody can edit a stored thread in place. */
    private static ConversationThread copy(ConversationThread t) {
        return new ConversationThread(t.threadId(), t.createdAt(), t.updatedAt(), t.metadata(), t.status(), t.config(),
                t.values());
    }
}

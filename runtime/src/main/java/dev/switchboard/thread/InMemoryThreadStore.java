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

    @Override
    public ConversationThread create(ConversationThread thread) {
        if (threads.putIfAbsent(thread.threadId(), thread) != null) {
            throw new SwitchboardException.Conflict("thread_exists", "Thread " + thread.threadId() + " already exists");
        }
        return thread;
    }

    @Override
    public Optional<ConversationThread> get(UUID threadId) {
        return Optional.ofNullable(threads.get(threadId));
    }

    @Override
    public ConversationThread update(ConversationThread thread) {
        if (threads.computeIfPresent(thread.threadId(), (id, old) -> thread) == null) {
            throw SwitchboardException.NotFound.of("Thread", thread.threadId());
        }
        return thread;
    }

    @Override
    public boolean delete(UUID threadId) {
        return threads.remove(threadId) != null;
    }

    @Override
    public List<ConversationThread> search(ThreadQuery query) {
        return matching(query).skip(query.offset()).limit(query.limit()).toList();
    }

    @Override
    public long count(ThreadQuery query) {
        return matching(query).count();
    }

    private Stream<ConversationThread> matching(ThreadQuery q) {
        Comparator<ConversationThread> order = switch (q.sortBy()) {
            case THREAD_ID -> Comparator.comparing(ConversationThread::threadId);
            case STATUS -> Comparator.comparing((ConversationThread t) -> t.status().wireName());
            case CREATED_AT -> Comparator.comparing(ConversationThread::createdAt);
            case UPDATED_AT -> Comparator.comparing(ConversationThread::updatedAt);
        };
        order = order.thenComparing(ConversationThread::threadId);
        if (!q.ascending()) {
            order = order.reversed();
        }
        return threads.values().stream()
                .filter(t -> q.ids() == null || q.ids().contains(t.threadId()))
                .filter(t -> q.status() == null || t.status() == q.status())
                .filter(t -> Json.contains(t.metadata(), q.metadata()))
                .filter(t -> q.values() == null || Json.contains(t.values(), q.values()))
                .sorted(order);
    }
}

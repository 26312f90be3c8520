package dev.switchboard.assistant;

import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Assistants in a concurrent map; their versions beside them. Writes that touch both hold the store's lock, so a
 * reader never sees a live assistant without its version row (assistants change rarely; the lock costs nothing).
 */
public final class InMemoryAssistantStore implements AssistantStore {
    private final ConcurrentHashMap<UUID, Assistant> assistants = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, java.util.NavigableMap<Integer, Assistant>> versions =
            new ConcurrentHashMap<>();

    @Override
    public synchronized Assistant create(Assistant assistant) {
        if (assistants.putIfAbsent(assistant.assistantId(), copy(assistant)) != null) {
            throw new SwitchboardException.Conflict("assistant_exists",
                    "Assistant " + assistant.assistantId() + " already exists");
        }
        java.util.NavigableMap<Integer, Assistant> own = new java.util.concurrent.ConcurrentSkipListMap<>();
        own.put(assistant.version(), copy(assistant));
        versions.put(assistant.assistantId(), own);
        return assistant;
    }

    @Override
    public synchronized List<Assistant> versions(UUID assistantId, com.fasterxml.jackson.databind.node.ObjectNode
            metadata, int limit, int offset) {
        java.util.NavigableMap<Integer, Assistant> own = versions.get(assistantId);
        if (own == null) {
            return List.of();
        }
        return own.descendingMap().values().stream().filter(a -> Json.contains(a.metadata(), metadata))
                .skip(offset).limit(limit).map(InMemoryAssistantStore::copy).toList();
    }

    @Override
    public synchronized Assistant setLatest(UUID assistantId, int version) {
        java.util.NavigableMap<Integer, Assistant> own = versions.get(assistantId);
        Assistant chosen = own == null ? null : own.get(version);
        if (chosen == null || !assistants.containsKey(assistantId)) {
            throw new SwitchboardException.NotFound("Assistant " + assistantId + " has no version " + version);
        }
        Assistant live = assistants.get(assistantId);
        Assistant next = new Assistant(assistantId, chosen.graphId(), chosen.config(), chosen.context(),
                chosen.metadata(), version, chosen.name(), chosen.description(), live.createdAt(), chosen.updatedAt());
        assistants.put(assistantId, next);
        return copy(next);
    }

    @Override
    public Optional<Assistant> get(UUID assistantId) {
        return Optional.ofNullable(assistants.get(assistantId)).map(InMemoryAssistantStore::copy);
    }

    @Override
    public synchronized Assistant update(Assistant assistant) {
        if (assistants.computeIfPresent(assistant.assistantId(), (id, old) -> copy(assistant)) == null) {
            throw SwitchboardException.NotFound.of("Assistant", assistant.assistantId());
        }
        versions.computeIfAbsent(assistant.assistantId(), id -> new java.util.concurrent.ConcurrentSkipListMap<>())
                .put(assistant.version(), copy(assistant));
        return assistant;
    }

    @Override
    public synchronized boolean delete(UUID assistantId) {
        versions.remove(assistantId);
        return assistants.remove(assistantId) != null;
    }

    @Override
    public List<Assistant> search(AssistantQuery query) {
        return matching(query).skip(query.offset()).limit(query.limit()).map(InMemoryAssistantStore::copy).toList();
    }

    @Override
    public long count(AssistantQuery query) {
        return matching(query).count();
    }

    private Stream<Assistant> matching(AssistantQuery q) {
        return assistants.values().stream()
                .filter(a -> q.graphId() == null || a.graphId().equals(q.graphId()))
                .filter(a -> Json.contains(a.metadata(), q.metadata()))
                .filter(a -> q.name() == null
                        || a.name().toLowerCase(Locale.ROOT).contains(q.name().toLowerCase(Locale.ROOT)))
                .sorted(Comparator.comparing(Assistant::createdAt).thenComparing(Assistant::assistantId));
    }

    /** A deep copy (the record's constructor copies its JSON), so nobody can edit a stored assistant in place. */
    private static Assistant copy(Assistant a) {
        return new Assistant(a.assistantId(), a.graphId(), a.config(), a.context(), a.metadata(), a.version(), a.name(),
                a.description(), a.createdAt(), a.updatedAt());
    }
}

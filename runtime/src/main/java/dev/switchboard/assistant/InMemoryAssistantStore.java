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

/** Assistants in a concurrent map. */
public final class InMemoryAssistantStore implements AssistantStore {
    private final ConcurrentHashMap<UUID, Assistant> assistants = new ConcurrentHashMap<>();

    @Override
    public Assistant create(Assistant assistant) {
        if (assistants.putIfAbsent(assistant.assistantId(), copy(assistant)) != null) {
            throw new SwitchboardException.Conflict("assistant_exists",
                    "Assistant " + assistant.assistantId() + " already exists");
        }
        return assistant;
    }

    @Override
    public Optional<Assistant> get(UUID assistantId) {
        return Optional.ofNullable(assistants.get(assistantId)).map(InMemoryAssistantStore::copy);
    }

    @Override
    public Assistant update(Assistant assistant) {
        if (assistants.computeIfPresent(assistant.assistantId(), (id, old) -> copy(assistant)) == null) {
            throw SwitchboardException.NotFound.of("Assistant", assistant.assistantId());
        }
        return assistant;
    }

    @Override
    public boolean delete(UUID assistantId) {
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

package dev.switchboard.checkpoint;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Checkpoints in memory, one sorted map per thread. */
public final class InMemoryCheckpointStore implements CheckpointStore {
    private final Map<UUID, NavigableMap<UUID, Checkpoint>> byThread = new ConcurrentHashMap<>();

    private NavigableMap<UUID, Checkpoint> thread(UUID threadId) {
        return byThread.computeIfAbsent(threadId, id -> new ConcurrentSkipListMap<>());
    }

    @Override
    public void put(Checkpoint checkpoint) {
        thread(checkpoint.threadId()).put(checkpoint.checkpointId(), copy(checkpoint));
    }

    @Override
    public boolean replaceMetadata(UUID threadId, UUID checkpointId,
            com.fasterxml.jackson.databind.node.ObjectNode metadata) {
        var map = byThread.get(threadId);
        return map != null && map.computeIfPresent(checkpointId, (id, c) -> new Checkpoint(c.checkpointId(),
                c.threadId(), c.parentId(), c.runId(), c.step(), c.source(), c.values(), c.next(), metadata.deepCopy(),
                c.createdAt())) != null;
    }

    @Override
    public Optional<Checkpoint> get(UUID threadId, UUID checkpointId) {
        var map = byThread.get(threadId);
        return map == null ? Optional.empty() : Optional.ofNullable(map.get(checkpointId)).map(InMemoryCheckpointStore::copy);
    }

    @Override
    public Optional<Checkpoint> latest(UUID threadId) {
        var map = byThread.get(threadId);
        if (map == null) {
            return Optional.empty();
        }
        var last = map.lastEntry();
        return last == null ? Optional.empty() : Optional.of(copy(last.getValue()));
    }

    @Override
    public List<Checkpoint> list(UUID threadId, int limit, UUID before) {
        var map = byThread.get(threadId);
        if (map == null) {
            return List.of();
        }
        var view = before == null ? map.descendingMap() : map.headMap(before, false).descendingMap();
        return view.values().stream().limit(limit).map(InMemoryCheckpointStore::copy).toList();
    }

    @Override
    public int deleteByRun(UUID threadId, UUID runId) {
        var map = byThread.get(threadId);
        if (map == null) {
            return 0;
        }
        int before = map.size();
        map.values().removeIf(c -> runId.equals(c.runId()));
        return before - map.size();
    }

    @Override
    public int deleteRunAndLater(UUID threadId, UUID runId) {
        var map = byThread.get(threadId);
        if (map == null) {
            return 0;
        }
        UUID first = map.values().stream().filter(c -> runId.equals(c.runId())).map(Checkpoint::checkpointId)
                .findFirst().orElse(null);
        if (first == null) {
            return 0;
        }
        int before = map.size();
        map.tailMap(first, true).values().removeIf(c -> c.runId() != null);
        return before - map.size();
    }

    @Override
    public int deleteByThread(UUID threadId) {
        var map = byThread.remove(threadId);
        return map == null ? 0 : map.size();
    }

    @Override
    public int deleteAllButLatest(UUID threadId) {
        var map = byThread.get(threadId);
        if (map == null || map.isEmpty()) {
            return 0;
        }
        var older = map.headMap(map.lastKey(), false);
        int n = older.size();
        older.clear();
        return n;
    }

    /** A deep copy (the record's constructor copies its JSON), so nobody can edit a stored checkpoint in place. */
    private static Checkpoint copy(Checkpoint c) {
        return new Checkpoint(c.checkpointId(), c.threadId(), c.parentId(), c.runId(), c.step(), c.source(), c.values(),
                c.next(), c.metadata(), c.createdAt());
    }
}

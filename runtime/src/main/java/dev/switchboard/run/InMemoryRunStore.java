package dev.switchboard.run;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs in memory. One lock makes admission and claiming atomic; it is held only for map operations, never
 * across anything that blocks.
 */
public final class InMemoryRunStore implements RunStore {
    private static final Comparator<Run> OLDEST_FIRST =
            Comparator.comparing(Run::createdAt).thenComparing(Run::runId);

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<UUID, Run> runs = new java.util.HashMap<>();
    // Indexes, so that the scheduler's per-thread reads and the heartbeat's sweep cost what they return, not the
    // number of runs ever stored (guarded by lock, kept in step by putLocked and removeLocked).
    private final Map<UUID, Set<UUID>> byThread = new java.util.HashMap<>();
    private final Set<UUID> activeIds = new HashSet<>();

    public InMemoryRunStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Admission admit(Run candidate, AdmissionRule rule) {
        lock.lock();
        try {
            List<Run> active = activeLocked(candidate.threadId(), candidate.lane());
            Run admitted = rule.admit(candidate, active).withStatus(RunStatus.PENDING, candidate.updatedAt());
            if (runs.containsKey(admitted.runId())) {
                throw new IllegalStateException("run id already used: " + admitted.runId());
            }
            putLocked(admitted);
            return new Admission(copy(admitted), active);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Run> get(UUID runId) {
        lock.lock();
        try {
            return Optional.ofNullable(runs.get(runId)).map(InMemoryRunStore::copy);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Run> list(UUID threadId, RunQuery query) {
        lock.lock();
        try {
            return byThread.getOrDefault(threadId, Set.of()).stream().map(runs::get)
                    .filter(r -> query.status() == null || r.status() == query.status())
                    .sorted(OLDEST_FIRST.reversed()).skip(query.offset()).limit(query.limit())
                    .map(InMemoryRunStore::copy).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Run> active(UUID threadId, Lane lane) {
        lock.lock();
        try {
            return activeLocked(threadId, lane);
        } finally {
            lock.unlock();
        }
    }

    private List<Run> activeLocked(UUID threadId, Lane lane) {
        List<Run> active = new ArrayList<>();
        for (UUID id : byThread.getOrDefault(threadId, Set.of())) {
            Run r = runs.get(id);
            if (r.lane() == lane && r.status().isActive()) {
                active.add(copy(r));
            }
        }
        active.sort(OLDEST_FIRST);
        return active;
    }

    @Override
    public Optional<Run> transition(UUID runId, RunStatus next) {
        lock.lock();
        try {
            Run current = runs.get(runId);
            if (current == null || !current.status().canTransitionTo(next)) {
                return Optional.empty();
            }
            Run updated = current.withStatus(next, clock.instant());
            putLocked(updated);
            return Optional.of(copy(updated));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Run> transition(UUID runId, RunStatus expected, RunStatus next) {
        lock.lock();
        try {
            Run current = runs.get(runId);
            if (current == null || current.status() != expected || !expected.canTransitionTo(next)) {
                return Optional.empty();
            }
            return transition(runId, next);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Run> claimNext(UUID threadId, Lane lane, String owner, Instant leaseUntil) {
        lock.lock();
        try {
            List<Run> active = activeLocked(threadId, lane);
            if (active.stream().anyMatch(r -> r.status() == RunStatus.RUNNING)) {
                return Optional.empty();
            }
            var now = clock.instant();
            return active.stream().filter(r -> r.isDue(now)).findFirst().map(next -> {
                Run running = next.withStatus(RunStatus.RUNNING, clock.instant()).withLease(owner, leaseUntil);
                putLocked(running);
                return copy(running);
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<UUID> renewLeases(String owner, Collection<UUID> runIds, Instant until) {
        lock.lock();
        try {
            Set<UUID> held = new HashSet<>();
            for (UUID id : runIds) {
                Run current = runs.get(id);
                if (current != null && current.status() == RunStatus.RUNNING && owner.equals(current.owner())) {
                    putLocked(current.withLease(owner, until));
                    held.add(id);
                }
            }
            return held;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Run> takeOver(Run seen, String owner, Instant leaseUntil) {
        lock.lock();
        try {
            Run current = runs.get(seen.runId());
            if (current == null || current.status() != RunStatus.RUNNING
                    || !Objects.equals(current.owner(), seen.owner())
                    || !Objects.equals(current.leaseUntil(), seen.leaseUntil())) {
                return Optional.empty();
            }
            Run taken = current.withLease(owner, leaseUntil);
            putLocked(taken);
            return Optional.of(copy(taken));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Run> finish(UUID runId, String owner, RunStatus end) {
        lock.lock();
        try {
            Run current = runs.get(runId);
            if (current == null || current.status() != RunStatus.RUNNING || !end.isTerminal()
                    || !owner.equals(current.owner())) {
                return Optional.empty();
            }
            return transition(runId, end);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Run> running() {
        return selectActive(RunStatus.RUNNING);
    }

    @Override
    public List<Run> pending() {
        return selectActive(RunStatus.PENDING);
    }

    private List<Run> selectActive(RunStatus status) {
        lock.lock();
        try {
            return activeIds.stream().map(runs::get).filter(r -> r.status() == status).sorted(OLDEST_FIRST)
                    .map(InMemoryRunStore::copy).toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean delete(UUID runId) {
        lock.lock();
        try {
            return removeLocked(runId);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int deleteByThread(UUID threadId) {
        lock.lock();
        try {
            int removed = 0;
            for (UUID id : List.copyOf(byThread.getOrDefault(threadId, Set.of()))) {
                removed += removeLocked(id) ? 1 : 0;
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int deleteFinished(UUID threadId) {
        lock.lock();
        try {
            int removed = 0;
            for (UUID id : List.copyOf(byThread.getOrDefault(threadId, Set.of()))) {
                Run run = runs.get(id);
                if (run != null && run.status().isTerminal()) {
                    removed += removeLocked(id) ? 1 : 0;
                }
            }
            return removed;
        } finally {
            lock.unlock();
        }
    }

    private void putLocked(Run run) {
        runs.put(run.runId(), run);
        byThread.computeIfAbsent(run.threadId(), t -> new java.util.LinkedHashSet<>()).add(run.runId());
        if (run.status().isActive()) {
            activeIds.add(run.runId());
        } else {
            activeIds.remove(run.runId());
        }
    }

    private boolean removeLocked(UUID runId) {
        Run removed = runs.remove(runId);
        if (removed == null) {
            return false;
        }
        activeIds.remove(runId);
        Set<UUID> ofThread = byThread.get(removed.threadId());
        if (ofThread != null) {
            ofThread.remove(runId);
            if (ofThread.isEmpty()) {
                byThread.remove(removed.threadId());
            }
        }
        return true;
    }

    /** A deep copy (the record's constructor copies its JSON), so nobody can edit a stored run in place. */
    private static Run copy(Run r) {
        return r.withStatus(r.status(), r.updatedAt());
    }
}

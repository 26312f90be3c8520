package dev.switchboard.operation;

import dev.switchboard.SwitchboardException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/** Operations in memory; {@link #update} is atomic per operation through the map's compute. */
public final class InMemoryOperationStore implements OperationStore {
    private static final Comparator<Operation> OLDEST_FIRST =
            Comparator.comparing(Operation::createdAt).thenComparing(Operation::operationId);

    private final ConcurrentHashMap<UUID, Operation> operations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, UUID> byKey = new ConcurrentHashMap<>();

    @Override
    public Operation create(Operation operation) {
        if (byKey.putIfAbsent(operation.idempotencyKey(), operation.operationId()) != null) {
            throw new SwitchboardException.Conflict("operation_exists",
                    "an operation with idempotency key " + operation.idempotencyKey() + " already exists");
        }
        if (operations.putIfAbsent(operation.operationId(), copy(operation)) != null) {
            byKey.remove(operation.idempotencyKey(), operation.operationId());
            throw new SwitchboardException.Conflict("operation_exists",
                    "operation " + operation.operationId() + " already exists");
        }
        return operation;
    }

    @Override
    public Optional<Operation> get(UUID operationId) {
        return Optional.ofNullable(operations.get(operationId)).map(InMemoryOperationStore::copy);
    }

    @Override
    public Optional<Operation> byIdempotencyKey(String idempotencyKey) {
        UUID id = byKey.get(idempotencyKey);
        return id == null ? Optional.empty() : get(id);
    }

    @Override
    public List<Operation> listByThread(UUID threadId) {
        return select(o -> o.threadId().equals(threadId));
    }

    @Override
    public List<Operation> inFlight() {
        return select(o -> o.status() == OperationStatus.RUNNING);
    }

    @Override
    public List<Operation> unreported() {
        return select(o -> o.status().isTerminal() && !o.reported());
    }

    @Override
    public Optional<Operation> update(UUID operationId, UnaryOperator<Operation> change) {
        return Optional.ofNullable(operations.computeIfPresent(operationId, (id, current) -> {
            Operation next = copy(change.apply(copy(current)));
            if (!next.operationId().equals(id) || !next.idempotencyKey().equals(current.idempotencyKey())
                    || !java.util.Objects.equals(next.userId(), current.userId())) {
                throw new IllegalStateException("an update must not change an operation's identity");
            }
            if (current.status().isTerminal() && next.status() != current.status()) {
                throw new IllegalStateException("operation " + id + " is " + current.status().wireName()
                        + "; a terminal status never changes");
            }
            return next;
        })).map(InMemoryOperationStore::copy);
    }

    @Override
    public Set<UUID> renewLeases(String owner, Collection<UUID> operationIds, Instant until) {
        Set<UUID> held = new HashSet<>();
        for (UUID id : operationIds) {
            operations.computeIfPresent(id, (k, current) -> {
                if (current.status() != OperationStatus.RUNNING || !owner.equals(current.owner())) {
                    return current;
                }
                held.add(k);
                return current.withLease(owner, until, current.updatedAt());
            });
        }
        return held;
    }

    @Override
    public int deleteByThread(UUID threadId) {
        List<Operation> gone = listByThread(threadId);
        gone.forEach(o -> {
            operations.remove(o.operationId());
            byKey.remove(o.idempotencyKey(), o.operationId());
        });
        return gone.size();
    }

    private List<Operation> select(Predicate<Operation> filter) {
        return operations.values().stream().filter(filter).sorted(OLDEST_FIRST).map(InMemoryOperationStore::copy).toList();
    }

    /** A deep copy (the record's constructor copies its JSON), so nobody can edit a stored operation in place. */
    private static Operation copy(Operation o) {
        return new Operation(o.operationId(), o.threadId(), o.runId(), o.toolCallId(), o.toolName(), o.arguments(),
                o.idempotencyKey(), o.namespace(), o.status(), o.percent(), o.message(), o.result(), o.error(),
                o.cancelRequested(), o.reported(), o.owner(), o.leaseUntil(), o.createdAt(), o.updatedAt(), o.userId());
    }
}

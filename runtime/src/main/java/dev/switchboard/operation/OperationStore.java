package dev.switchboard.operation;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Storage port for operations. Every implementation passes the testkit's {@code OperationStoreContract}. */
public interface OperationStore {

    /** Inserts; an operation with the same id or idempotency key is a {@code Conflict} (code {@code operation_exists}). */
    Operation create(Operation operation);

    Optional<Operation> get(UUID operationId);

    Optional<Operation> byIdempotencyKey(String idempotencyKey);

    /** A thread's operations, oldest first. */
    List<Operation> listByThread(UUID threadId);

    /** Every running operation, oldest first: what recovery looks at. */
    List<Operation> inFlight();

    /** Every terminal operation whose outcome no answer has reported yet, oldest first. */
    List<Operation> unreported();

    /**
     * Atomically replaces an operation with {@code change.apply(current)}. Empty if it does not exist. A change
     * that would move a terminal status anywhere else is refused with {@link IllegalStateException}; the
     * operation is then left as it was.
     */
    Optional<Operation> update(UUID operationId, UnaryOperator<Operation> change);

    /**
     * The heartbeat: extends to {@code until} the lease of each of {@code operationIds} that is still running and
     * held by {@code owner}, and answers exactly those. An operation missing from the answer is no longer this
     * owner's. {@code updatedAt} is left alone. Claiming, taking over and fencing go through {@link #update}.
     */
    Set<UUID> renewLeases(String owner, Collection<UUID> operationIds, Instant until);

    int deleteByThread(UUID threadId);
}

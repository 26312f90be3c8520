/**
 * Operations: long-running tools executed in the background. A main-lane run that calls a long-running tool
 * persists an {@link dev.switchboard.operation.Operation} (idempotency key = thread + run + tool call) and
 * the {@link dev.switchboard.operation.OperationRunner} executes it on its own virtual thread; progress
 * updates the operation, the run's stream and the coordination store key {@code working-tool-status-update}.
 *
 * <p>Double-texting meets operations: an {@code interrupt} or {@code rollback} of a run that awaits an
 * operation cancels the run, never the operation. The operation runs to its end or to an explicit cancel
 * ({@code cancel_operation}, or the API), which is honoured only before the tool's point of no return. When it
 * ends with nobody awaiting it, a report run is queued on its thread (after whatever runs there): it writes a
 * {@code check_status} call whose result is the outcome, the interim exchange, and one answer. With
 * {@code interrupt} the cancelled run's own tool call is answered "still running in the background"; with
 * {@code rollback} that call is deleted with its run, and the report stands on its own. A report run that is
 * itself cancelled is queued again, so an outcome always reaches the thread.
 *
 * <p>A server that stops mid-operation loses nothing (DESIGN.md §3 item 4): each operation is held by the
 * instance executing it under a lease its heartbeat renews. At restart, or on another instance once that lease
 * has expired, the operation is taken over and resumed with the same idempotency key if its tool declares
 * itself idempotent, or ended failed with the reason; either way a report run gives the thread its answer. The
 * lease's life is written in {@link dev.switchboard.operation.OperationRunner}; recovery as a whole in the run
 * package's {@code Recovery}.
 */
package dev.switchboard.operation;

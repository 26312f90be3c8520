/**
 * Operations: executions of long-running tools started by main-lane runs (DESIGN.md section 3). An
 * {@link dev.switchboard.operation.Operation} carries its idempotency key, progress, outcome and lease;
 * {@link dev.switchboard.operation.OperationStore} is the storage port, whose {@code update} is the one
 * atomic read-modify-write every progress report, cancel request and outcome goes through.
 */
package dev.switchboard.operation;

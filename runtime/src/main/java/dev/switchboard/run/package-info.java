/**
 * Runs: admission under the four multitask strategies, the per-thread scheduler that keeps at most one
 * running run per thread and lane, cancellation, and the agent loop each run executes.
 * {@link dev.switchboard.run.RunStore} is the storage port; {@link dev.switchboard.run.RunScheduler} is
 * where the rules of DESIGN.md §2 are enforced.
 */
package dev.switchboard.run;

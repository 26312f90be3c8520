/**
 * Checkpoints: a thread's state after each step of each run. The latest checkpoint is the thread's state;
 * rollback is deleting a run's checkpoints, which leaves the state as it was before the run;
 * {@code update_state} forks by writing a new checkpoint whose parent is the one it started from.
 */
package dev.switchboard.checkpoint;

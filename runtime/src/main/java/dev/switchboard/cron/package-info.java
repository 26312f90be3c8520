/**
 * Crons: runs on a schedule (AGENT-PROTOCOL.md's {@code /runs/crons}). A {@link dev.switchboard.cron.Cron} keeps
 * a five-field cron expression, its time zone, an optional end time and the run-create payload each firing
 * submits through the runtime's normal admission, as the cron's owner.
 *
 * <p>Firing is a claim in the store, not a timer per process: {@link dev.switchboard.cron.CronStore#claim} moves
 * a due cron's {@code next_run_at} forward only if it still holds the value the claimant read, so of any number
 * of instances sharing a database exactly one fires each due time. The next time is computed from the moment of
 * firing, not from the missed due time, so an instance that was down while a cron fell due several times fires it
 * once on restart (one catch-up run per missed schedule, never one per missed tick).
 */
package dev.switchboard.cron;

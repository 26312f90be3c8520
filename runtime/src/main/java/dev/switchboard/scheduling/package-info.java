/**
 * The run engine (not exported by the runtime module): admission, starting, cancelling and finishing runs under
 * the thread's slot lock, the agent loop each run executes, the two lanes of a conversation, operation reports,
 * leases and crash recovery. Each transition has one owner; {@link dev.switchboard.scheduling.RunScheduler}
 * lists them. Everything but the scheduler is package-private.
 */
package dev.switchboard.scheduling;

/**
 * The event streams of runs (DESIGN.md §4, AGENT-PROTOCOL.md §8): every run publishes numbered
 * {@link dev.switchboard.event.RunEvent}s into its own {@link dev.switchboard.event.EventLog}, and any
 * number of readers (the creating SSE stream, joins, {@code Last-Event-ID} resumes) follow it with a
 * {@link dev.switchboard.event.Subscription}. Sequence numbers start at 0 per run and are the SSE {@code id:}.
 *
 * <p><b>Slow-subscriber policy.</b> The run never waits for a reader. A log keeps only the
 * {@code capacityPerRun} most recent events (a ring buffer); a reader that falls further behind than that
 * skips forward to the oldest retained event, and {@link dev.switchboard.event.Subscription#lostEvents()}
 * counts what it missed. Every reader gets every retained event in order; readers never split events
 * between them. After a log is closed (its {@code end} event published) the
 * {@link dev.switchboard.event.EventBus} keeps it for {@code retentionAfterClose}, so late joins and
 * resumes still work; one daemon scheduler thread removes it afterwards.
 */
package dev.switchboard.event;

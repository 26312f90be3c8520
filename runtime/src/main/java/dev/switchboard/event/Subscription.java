package dev.switchboard.event;

import java.time.Duration;
import java.util.Optional;

/**
 * One reader's cursor into an {@link EventLog}. Meant for one consuming thread; {@link #close()} may be
 * called from any thread (for example when the HTTP client disconnects).
 */
public interface Subscription extends AutoCloseable {

    /**
     * Blocks (parks the virtual thread, no polling) until the next event, the timeout, or close;
     * {@link Optional#empty()} on timeout. After {@link RunEvent.End} was delivered, returns
     * {@link Optional#empty()} immediately and {@link #isFinished()} is true. A zero or negative timeout
     * only takes an event that is already there.
     */
    Optional<SequencedEvent> next(Duration timeout) throws InterruptedException;

    /**
     * True once nothing more will come: {@link RunEvent.End} was delivered, this subscription was closed,
     * or it was resumed past the end of an already closed log.
     */
    boolean isFinished();

    /** Events this subscriber missed because they fell out of retention before it read them. */
    long lostEvents();

    /** Wakes a blocked {@link #next(Duration)}, which then returns empty; idempotent. */
    @Override
    void close();
}

package dev.switchboard.run;

import java.time.Duration;
import java.util.List;

/**
 * Observes the scheduler (metrics, audit). Called on scheduler threads while a thread's lock is held: it
 * must be fast and must not call back into the runtime.
 */
public interface RunListener {

    /** A run was admitted; {@code superseded} are the active runs its strategy met (empty unless double-texted). */
    default void admitted(Run run, List<Run> superseded) {
    }

    /**
     * A run ended with {@code status}, or was deleted ({@code status} null, a rollback). {@code cancelLatency} is
     * the time from the cancel request to the run's end, null when it was not cancelled while executing.
     */
    default void ended(Run run, RunStatus status, Duration cancelLatency) {
    }

    RunListener NONE = new RunListener() {
    };
}

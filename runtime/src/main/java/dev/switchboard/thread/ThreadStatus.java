package dev.switchboard.thread;

import dev.switchboard.SwitchboardException;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunStatus;
import java.util.Collection;
import java.util.Comparator;

/** A thread's status on the wire. It is derived from the thread's runs, never set by hand. */
public enum ThreadStatus {
    IDLE("idle"),
    BUSY("busy"),
    /** Reserved for graph interrupts (human-in-the-loop); a cancelled run leaves its thread idle, as in LangGraph. */
    INTERRUPTED("interrupted"),
    ERROR("error");

    private final String wireName;

    ThreadStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ThreadStatus fromWire(String text) {
        for (ThreadStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_status",
                "unknown thread status '" + text + "'; expected idle, busy, interrupted or error");
    }

    /**
     * busy while any main-lane run is pending or running; otherwise error when the most recently finished
     * run failed or timed out; otherwise idle.
     */
    public static ThreadStatus derive(Collection<Run> runs) {
        if (runs.stream().anyMatch(r -> r.status().isActive())) {
            return BUSY;
        }
        return runs.stream()
                .max(Comparator.comparing(Run::updatedAt).thenComparing(Run::runId))
                .map(last -> last.status() == RunStatus.ERROR || last.status() == RunStatus.TIMEOUT ? ERROR : IDLE)
                .orElse(IDLE);
    }
}

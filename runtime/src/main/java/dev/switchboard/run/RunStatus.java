package dev.switchboard.run;

import dev.switchboard.SwitchboardException;

/**
 * A run's status. The state machine, written once:
 *
 * <pre>
 *   pending ──► running ──► success | error | timeout | interrupted
 *      │
 *      └──────► interrupted      (cancelled before it started)
 * </pre>
 *
 * A terminal status never changes. A rolled-back run is not a status: its record is deleted.
 */
public enum RunStatus {
    PENDING("pending"),
    RUNNING("running"),
    SUCCESS("success"),
    ERROR("error"),
    TIMEOUT("timeout"),
    INTERRUPTED("interrupted");

    private final String wireName;

    RunStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isTerminal() {
        return this != PENDING && this != RUNNING;
    }

    public boolean isActive() {
        return !isTerminal();
    }

    public boolean canTransitionTo(RunStatus next) {
        return switch (this) {
            case PENDING -> next == RUNNING || next == INTERRUPTED || next == ERROR;
            case RUNNING -> next.isTerminal();
            case SUCCESS, ERROR, TIMEOUT, INTERRUPTED -> false;
        };
    }

    public static RunStatus fromWire(String text) {
        for (RunStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_status", "unknown run status '" + text
                + "'; expected pending, running, success, error, timeout or interrupted");
    }
}

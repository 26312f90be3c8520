package dev.switchboard.run;

import dev.switchboard.SwitchboardException;

/** A page of a thread's runs, newest first, optionally of one status. */
public record RunQuery(RunStatus status, int limit, int offset) {
    public RunQuery {
        if (limit < 1 || limit > 1000) {
            throw new SwitchboardException.InvalidRequest("limit must be between 1 and 1000, got " + limit);
        }
        if (offset < 0) {
            throw new SwitchboardException.InvalidRequest("offset must not be negative, got " + offset);
        }
    }

    public static RunQuery all() {
        return new RunQuery(null, 1000, 0);
    }
}

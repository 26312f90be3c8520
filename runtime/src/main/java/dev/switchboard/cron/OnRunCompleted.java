package dev.switchboard.cron;

import dev.switchboard.SwitchboardException;

/** What happens to the thread a stateless cron made for one firing once its run has ended (the SDKs' meaning). */
public enum OnRunCompleted {
    /** The thread is deleted with its runs and checkpoints when the run ends (the default). */
    DELETE("delete"),
    /** The thread stays, so its result can be read later; whoever made the cron cleans it up. */
    KEEP("keep");

    private final String wireName;

    OnRunCompleted(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static OnRunCompleted fromWire(String text) {
        for (OnRunCompleted v : values()) {
            if (v.wireName.equals(text)) {
                return v;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_field",
                "on_run_completed must be delete or keep, got '" + text + "'");
    }
}

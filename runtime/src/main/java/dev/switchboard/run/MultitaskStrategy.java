package dev.switchboard.run;

import dev.switchboard.SwitchboardException;

/** What a new run does when its thread already has an active run (DESIGN.md §2). */
public enum MultitaskStrategy {
    /** Refuse the new run; nothing changes. */
    REJECT("reject"),
    /** Queue the new run after every earlier run of the thread (FIFO). The default. */
    ENQUEUE("enqueue"),
    /** Cancel every active run, keeping their completed steps, then start the new one. */
    INTERRUPT("interrupt"),
    /** Cancel and delete every active run with its checkpoints, then start the new one. */
    ROLLBACK("rollback");

    private final String wireName;

    MultitaskStrategy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static MultitaskStrategy fromWire(String text) {
        for (MultitaskStrategy s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_multitask_strategy",
                "multitask_strategy must be one of reject, enqueue, interrupt, rollback; got '" + text + "'");
    }
}

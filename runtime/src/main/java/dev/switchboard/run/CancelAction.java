package dev.switchboard.run;

import dev.switchboard.SwitchboardException;

/** How a run is cancelled: keep what it did ({@code interrupt}) or erase it ({@code rollback}). */
public enum CancelAction {
    INTERRUPT("interrupt"),
    ROLLBACK("rollback");

    private final String wireName;

    CancelAction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static CancelAction fromWire(String text) {
        for (CancelAction a : values()) {
            if (a.wireName.equals(text)) {
                return a;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_action",
                "action must be interrupt or rollback; got '" + text + "'");
    }
}

package dev.switchboard.run;

import dev.switchboard.SwitchboardException;

/** What a {@code rollback} does with the user messages of the runs it deletes (extension field {@code superseded_input}). */
public enum SupersededInput {
    /** They vanish with their runs, as in LangGraph. */
    DROP("drop"),
    /** They are put before the new run's input, so the user's first message is answered together with the second. */
    CARRY("carry");

    private final String wireName;

    SupersededInput(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static SupersededInput fromWire(String text) {
        for (SupersededInput s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new SwitchboardException.InvalidRequest("invalid_superseded_input",
                "superseded_input must be drop or carry; got '" + text + "'");
    }
}

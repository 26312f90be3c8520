package dev.switchboard.operation;

/**
 * An operation's status. The state machine, written once:
 * <pre>
 *   running ──► succeeded | failed | cancelled
 * </pre>
 * A terminal status never changes. A cancel request is a flag on a running operation, honoured at the tool's
 * next progress report if it has not passed its point of no return.
 */
public enum OperationStatus {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wireName;

    OperationStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public boolean isTerminal() {
        return this != RUNNING;
    }

    /** True for the wire name of a terminal status; false for running or anything unknown. */
    public static boolean isTerminalWireName(String text) {
        for (OperationStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s.isTerminal();
            }
        }
        return false;
    }

    public static OperationStatus fromWire(String text) {
        for (OperationStatus s : values()) {
            if (s.wireName.equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown operation status " + text);
    }
}

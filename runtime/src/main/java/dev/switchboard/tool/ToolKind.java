package dev.switchboard.tool;

/** How a tool runs: inline on the run's thread ({@code quick}) or as a background operation. */
public enum ToolKind {
    /** Read-only and fast; allowed on both lanes. */
    QUICK("quick"),
    /** Slow; main lane only; executed as an operation with progress while the secondary lane is open. */
    LONG_RUNNING("long_running");

    private final String wireName;

    ToolKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

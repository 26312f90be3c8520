package dev.switchboard.run;

/**
 * The lane a run executes on. The main lane has every tool and may change things; the secondary lane
 * opens while a main run awaits a long operation and has only quick read-only tools. Each lane of a
 * conversation has at most one running run.
 */
public enum Lane {
    MAIN("main"),
    SECONDARY("secondary");

    private final String wireName;

    Lane(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

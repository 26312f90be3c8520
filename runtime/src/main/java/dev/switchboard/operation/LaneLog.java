package dev.switchboard.operation;

import java.util.logging.Logger;

/**
 * One line per coordination step between the lanes (lane chosen, lock taken or released, abort, synthesis
 * inputs), when enabled: {@code TELCO_DEBUG} or {@code SWITCHBOARD_DEBUG} set to anything but 0/false, read at
 * the edge into {@code RuntimeSettings}.
 */
public final class LaneLog {
    private static final Logger LOG = Logger.getLogger("switchboard.lanes");
    /** Process-wide, like the log it writes to; set at the edge from {@code RuntimeSettings#laneDebug}. */
    private static volatile boolean enabled;

    private LaneLog() {
    }

    static boolean enabled(String value) {
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }

    /** Turns the lines on or off (the edge reads {@code TELCO_DEBUG} into {@code RuntimeSettings}). */
    public static void enable(boolean on) {
        enabled = on;
    }

    /** Also on with the system property {@code switchboard.debug=true} (tests, embedded use). */
    public static boolean isEnabled() {
        return enabled || Boolean.getBoolean("switchboard.debug");
    }

    /** Logs {@code step} followed by key=value pairs. */
    public static void step(String step, Object... keyValues) {
        if (!isEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder("lanes ").append(step);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
        }
        LOG.info(line.toString());
    }
}

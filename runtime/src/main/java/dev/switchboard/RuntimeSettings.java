package dev.switchboard;

import dev.switchboard.event.EventBus;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime's settings, read once at the edge ({@link #fromEnvironment}) and handed to
 * {@link Switchboard.Builder#settings}; nothing deeper in the engine reads the environment.
 *
 * @param instanceId     this instance's id, the owner of the runs and operations it executes; null: random
 * @param lease          how long a claim holds without a heartbeat
 * @param secondaryWait  how long a closing lane waits for the secondary run still answering (DESIGN.md §3: 15 s)
 * @param eventRetention how long a finished run's events stay replayable
 * @param maxHistory     how many recent messages a model sees at most (the seed's {@code RBC_FEES_MAX_MSGS})
 * @param laneDebug      one log line per lane coordination step (the seed's {@code TELCO_DEBUG})
 * @param modelTimeout   how long a model call may stay silent before the run stops it and ends in error
 * @param toolTimeout    how long a quick tool call may run before the run stops it and ends in error
 */
public record RuntimeSettings(String instanceId, Duration lease, Duration secondaryWait, Duration eventRetention,
        int maxHistory, boolean laneDebug, Duration modelTimeout, Duration toolTimeout) {

    /** With the default step timeouts (120 s of model silence, 60 s per quick tool call). */
    public RuntimeSettings(String instanceId, Duration lease, Duration secondaryWait, Duration eventRetention,
            int maxHistory, boolean laneDebug) {
        this(instanceId, lease, secondaryWait, eventRetention, maxHistory, laneDebug, Duration.ofSeconds(120),
                Duration.ofSeconds(60));
    }

    public RuntimeSettings {
        if (instanceId != null && instanceId.isBlank()) {
            throw new IllegalArgumentException("the instance id must not be blank");
        }
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(secondaryWait, "secondaryWait");
        Objects.requireNonNull(eventRetention, "eventRetention");
        if (lease.toMillis() < 3) {
            throw new IllegalArgumentException("the lease must be at least 3 ms, got " + lease.toMillis() + " ms");
        }
        if (secondaryWait.isNegative() || eventRetention.isNegative()) {
            throw new IllegalArgumentException("waits and retention must not be negative");
        }
        Objects.requireNonNull(modelTimeout, "modelTimeout");
        Objects.requireNonNull(toolTimeout, "toolTimeout");
        if (modelTimeout.toMillis() < 1 || toolTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("step timeouts must be at least 1 ms");
        }
        if (maxHistory < 1) {
            throw new IllegalArgumentException("the message limit must be at least 1, got " + maxHistory);
        }
    }

    public static RuntimeSettings defaults() {
        return new RuntimeSettings(null, Duration.ofSeconds(30), Duration.ofSeconds(15),
                EventBus.DEFAULT_RETENTION_AFTER_CLOSE, 40, false);
    }

    /**
     * From {@code SWITCHBOARD_INSTANCE_ID}, {@code SWITCHBOARD_LEASE_MS}, {@code SWITCHBOARD_SECONDARY_WAIT_MS},
     * {@code SWITCHBOARD_EVENT_RETENTION_MS}, {@code SWITCHBOARD_MODEL_TIMEOUT_MS}, {@code SWITCHBOARD_TOOL_TIMEOUT_MS},
     * {@code RBC_FEES_MAX_MSGS} and {@code TELCO_DEBUG} /
     * {@code SWITCHBOARD_DEBUG}; an unset variable keeps the default, a malformed one is refused with a message
     * naming it (never silently replaced by the default).
     */
    public static RuntimeSettings fromEnvironment(Map<String, String> env) {
        RuntimeSettings d = defaults();
        String id = env.get("SWITCHBOARD_INSTANCE_ID");
        return new RuntimeSettings(id == null || id.isBlank() ? null : id.strip(),
                millis(env, "SWITCHBOARD_LEASE_MS", d.lease(), 3),
                millis(env, "SWITCHBOARD_SECONDARY_WAIT_MS", d.secondaryWait(), 0),
                millis(env, "SWITCHBOARD_EVENT_RETENTION_MS", d.eventRetention(), 0),
                (int) number(env, "RBC_FEES_MAX_MSGS", d.maxHistory(), 1),
                flag(env.get("TELCO_DEBUG")) || flag(env.get("SWITCHBOARD_DEBUG")),
                millis(env, "SWITCHBOARD_MODEL_TIMEOUT_MS", d.modelTimeout(), 1),
                millis(env, "SWITCHBOARD_TOOL_TIMEOUT_MS", d.toolTimeout(), 1));
    }

    private static Duration millis(Map<String, String> env, String name, Duration fallback, long min) {
        return Duration.ofMillis(number(env, name, fallback.toMillis(), min));
    }

    private static long number(Map<String, String> env, String name, long fallback, long min) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(raw.strip());
            if (value >= min && value <= Integer.MAX_VALUE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least " + min + ", got '" + raw.strip()
                + "'");
    }

    private static boolean flag(String value) {
        return value != null && !value.isBlank() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }
}

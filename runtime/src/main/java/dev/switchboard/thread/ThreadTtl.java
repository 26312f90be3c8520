package dev.switchboard.thread;

import dev.switchboard.SwitchboardException;
import java.time.Duration;
import java.util.Objects;

/**
 * A thread's time to live, as the Agent Server's {@code ttl: {strategy, ttl}} has it: once the thread has gone
 * {@code after} without an update (its {@code updated_at}), the sweeper applies {@code strategy}.
 *
 * @param strategy what happens to the expired thread
 * @param after positive; at most a year (the Agent Server's minutes, kept exactly)
 */
public record ThreadTtl(Strategy strategy, Duration after) {
    /** The longest ttl accepted: one year, as for store items. */
    public static final Duration LONGEST = Duration.ofDays(365);

    public ThreadTtl {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(after, "after");
        if (after.isZero() || after.isNegative() || after.compareTo(LONGEST) > 0) {
            throw new SwitchboardException.InvalidRequest("invalid_ttl",
                    "ttl must be more than 0 and at most 525600 minutes, got " + after);
        }
    }

    /** What the sweeper does with an expired thread. */
    public enum Strategy {
        /** The thread goes with everything it owns: runs, checkpoints, operations, crons. */
        DELETE("delete"),
        /** The thread stays with only its latest checkpoint; older checkpoints and finished runs go. */
        KEEP_LATEST("keep_latest");

        private final String wireName;

        Strategy(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Strategy fromWire(String text) {
            for (Strategy s : values()) {
                if (s.wireName.equals(text)) {
                    return s;
                }
            }
            throw new SwitchboardException.InvalidRequest("invalid_ttl",
                    "unknown ttl strategy '" + text + "'; expected delete or keep_latest");
        }
    }

    /** A thread the sweeper found expired, with the strategy it had when found. */
    public record Expired(java.util.UUID threadId, Strategy strategy) {
        public Expired {
            Objects.requireNonNull(threadId, "threadId");
            Objects.requireNonNull(strategy, "strategy");
        }
    }
}

package dev.switchboard;

import dev.switchboard.thread.ThreadTtl;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How expiry runs (docs/expiry.md), read once at the edge like {@link RuntimeSettings}.
 *
 * @param sweepEvery       how often the sweeper looks for expired threads and store items
 * @param defaultThreadTtl the ttl a new thread gets when its creation names none; null: threads never expire
 *                         unless asked (LangGraph's {@code checkpointer.ttl.default_ttl})
 * @param storeRefreshOnRead whether a store read that does not say {@code refresh_ttl} refreshes the ttl of the
 *                         items it returns (LangGraph's {@code store.ttl.refresh_on_read}, true by default there too)
 */
public record ExpirySettings(Duration sweepEvery, ThreadTtl defaultThreadTtl, boolean storeRefreshOnRead) {
    public static final Duration DEFAULT_SWEEP = Duration.ofMinutes(5);

    public ExpirySettings {
        Objects.requireNonNull(sweepEvery, "sweepEvery");
        if (sweepEvery.toMillis() < 1) {
            throw new IllegalArgumentException("the sweep interval must be positive, got " + sweepEvery);
        }
    }

    public static ExpirySettings defaults() {
        return new ExpirySettings(DEFAULT_SWEEP, null, true);
    }

    /**
     * From {@code SWITCHBOARD_TTL_SWEEP_SECONDS} (default 300), {@code SWITCHBOARD_THREAD_TTL_MINUTES} (unset: no
     * default ttl) and {@code SWITCHBOARD_THREAD_TTL_STRATEGY} ({@code delete}, the default, or
     * {@code keep_latest}) and {@code SWITCHBOARD_STORE_REFRESH_ON_READ} ({@code true}, the default, or
     * {@code false}). A malformed value is refused with a message naming the variable.
     */
    public static ExpirySettings fromEnvironment(Map<String, String> env) {
        Duration every = DEFAULT_SWEEP;
        String sweep = blankToNull(env.get("SWITCHBOARD_TTL_SWEEP_SECONDS"));
        if (sweep != null) {
            every = Duration.ofSeconds(whole("SWITCHBOARD_TTL_SWEEP_SECONDS", sweep, 1, 86_400));
        }
        ThreadTtl ttl = null;
        String minutes = blankToNull(env.get("SWITCHBOARD_THREAD_TTL_MINUTES"));
        String strategy = blankToNull(env.get("SWITCHBOARD_THREAD_TTL_STRATEGY"));
        if (minutes != null) {
            ThreadTtl.Strategy s;
            try {
                s = strategy == null ? ThreadTtl.Strategy.DELETE : ThreadTtl.Strategy.fromWire(strategy);
            } catch (SwitchboardException.InvalidRequest e) {
                throw new IllegalArgumentException("SWITCHBOARD_THREAD_TTL_STRATEGY must be delete or keep_latest, got '"
                        + strategy + "'");
            }
            ttl = new ThreadTtl(s, Duration.ofMinutes(whole("SWITCHBOARD_THREAD_TTL_MINUTES", minutes, 1, 525_600)));
        } else if (strategy != null) {
            throw new IllegalArgumentException("SWITCHBOARD_THREAD_TTL_STRATEGY needs SWITCHBOARD_THREAD_TTL_MINUTES");
        }
        boolean refresh = true;
        String onRead = blankToNull(env.get("SWITCHBOARD_STORE_REFRESH_ON_READ"));
        if (onRead != null) {
            refresh = switch (onRead.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes" -> true;
                case "false", "0", "no" -> false;
                default -> throw new IllegalArgumentException("SWITCHBOARD_STORE_REFRESH_ON_READ must be true or false, "
                        + "got '" + onRead + "'");
            };
        }
        return new ExpirySettings(every, ttl, refresh);
    }

    private static long whole(String name, String raw, long min, long max) {
        try {
            long v = Long.parseLong(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got '"
                + raw + "'");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

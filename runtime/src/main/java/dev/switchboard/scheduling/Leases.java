package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The leases this instance holds on the runs executing here, as it last claimed or renewed them. The scheduler
 * writes them (claim, heartbeat, loss, end); {@link RunCheckpoints} reads them before every checkpoint write, so an
 * instance cut off from the database stops writing by the time another may take its runs over. A lease's life:
 * <pre>
 *   held ──renewed──► held (later end) ──taken over or not renewed in time──► lost ──run ends──► released
 * </pre>
 */
final class Leases {
    /** One run's lease as this instance knows it. */
    static final class Held {
        volatile Instant until;
        volatile boolean lost;

        Held(Instant until) {
            this.until = until;
        }
    }

    private final ConcurrentHashMap<UUID, Held> held = new ConcurrentHashMap<>();
    private final Clock clock;

    Leases(Clock clock) {
        this.clock = clock;
    }

    Held hold(UUID runId, Instant until) {
        Held h = new Held(until);
        held.put(runId, h);
        return h;
    }

    void release(UUID runId) {
        held.remove(runId);
    }

    Set<UUID> runIds() {
        return Set.copyOf(held.keySet());
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    /** True while the lease has not run out by this instance's clock and was not taken over. */
    boolean holds(Held h) {
        return h != null && !h.lost && h.until != null && clock.instant().isBefore(h.until);
    }

    /** For every checkpoint write of a run executing here: refuses it once the lease is gone. */
    void check(UUID runId) {
        Held h = held.get(runId);
        if (h != null && !holds(h)) {
            throw new LeaseLost(runId);
        }
    }
}

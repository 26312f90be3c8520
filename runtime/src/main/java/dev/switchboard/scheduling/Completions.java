package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.cluster.Cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whoever awaits a run ({@code /wait}, {@code /join}, a cancel with wait) is woken by its end, pushed: one future
 * per awaited active run, completed and removed when the run ends. A run that ends here is announced to the other
 * instances ({@link Cluster#ended}); one awaited here that executes elsewhere gets a future too, completed by that
 * announcement ({@link #endedElsewhere}). A lost announcement only delays: {@link #forgetEnded}, on the heartbeat,
 * completes entries whose runs the store shows ended, so the map holds only runs that are still active.
 */
final class Completions {
    private final ConcurrentHashMap<UUID, CompletableFuture<Optional<Run>>> completions = new ConcurrentHashMap<>();
    private final RunStore runs;
    private volatile Cluster cluster = Cluster.LOCAL;

    Completions(RunStore runs) {
        this.runs = runs;
    }

    void join(Cluster signals) {
        this.cluster = signals;
    }

    void expect(UUID runId) {
        completions.putIfAbsent(runId, new CompletableFuture<>());
    }

    void cancelExpectation(UUID runId) {
        completions.remove(runId);
    }

    /** The run ended (or was deleted) here: whoever awaits it, here or on another instance, is woken. */
    void complete(UUID runId, Optional<Run> result) {
        completeHere(runId, result);
        cluster.ended(runId);
    }

    /** Another instance announced the run's end: its record is read once, if anyone here awaits it. */
    void endedElsewhere(UUID runId) {
        if (completions.containsKey(runId)) {
            completeHere(runId, runs.get(runId));
        }
    }

    private void completeHere(UUID runId, Optional<Run> result) {
        CompletableFuture<Optional<Run>> f = completions.remove(runId);
        if (f != null) {
            f.complete(result);
        }
    }

    /**
     * Blocks until the run has ended. Returns its final record, or empty if it was deleted (rolled back).
     * A run that already ended returns at once.
     */
    public Optional<Run> await(UUID runId, Duration timeout) throws InterruptedException, TimeoutException {
        CompletableFuture<Optional<Run>> f = completions.get(runId);
        if (f == null) {
            Optional<Run> run = runs.get(runId);
            if (run.isEmpty() || !run.get().status().isActive()) {
                return run;
            }
            // Active, and not admitted here (another instance's run, or this one's from before a restart): await
            // its announced end. The record is read again after the future is in place, so an end announced
            // between the two reads is not missed.
            f = completions.computeIfAbsent(runId, id -> new CompletableFuture<>());
            Optional<Run> again = runs.get(runId);
            if (again.isEmpty() || !again.get().status().isActive()) {
                completeHere(runId, again);
                return again;
            }
        }
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Completes the entries of runs the store shows ended (ended on another instance, or by recovery there). */
    void forgetEnded() {
        for (UUID runId : java.util.List.copyOf(completions.keySet())) {
            Optional<Run> run = runs.get(runId);
            if (run.isEmpty() || run.get().status().isTerminal()) {
                completeHere(runId, run);
            }
        }
    }

    int size() {
        return completions.size();
    }
}

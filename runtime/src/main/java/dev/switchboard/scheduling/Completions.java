package dev.switchboard.scheduling;

import dev.switchboard.run.*;

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
 * per run that is active here, completed and removed when the run ends. A run that ended elsewhere (another
 * instance) has its entry dropped by {@link #forgetEnded}, so the map holds only runs that are still active.
 */
final class Completions {
    private final ConcurrentHashMap<UUID, CompletableFuture<Optional<Run>>> completions = new ConcurrentHashMap<>();
    private final RunStore runs;

    Completions(RunStore runs) {
        this.runs = runs;
    }

    void expect(UUID runId) {
        completions.putIfAbsent(runId, new CompletableFuture<>());
    }

    void cancelExpectation(UUID runId) {
        completions.remove(runId);
    }

    void complete(UUID runId, Optional<Run> result) {
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
            if (run.isPresent() && run.get().status().isActive()) {
                // Ending right now; its completion was removed a moment ago or the run is another process's.
                f = completions.get(runId);
                if (f == null) {
                    return run;
                }
            } else {
                return run;
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
            runs.get(runId).filter(r -> r.status().isTerminal()).ifPresent(r -> complete(runId, Optional.of(r)));
            if (runs.get(runId).isEmpty()) {
                complete(runId, Optional.empty());
            }
        }
    }

    int size() {
        return completions.size();
    }
}

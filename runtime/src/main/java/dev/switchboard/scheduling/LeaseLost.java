package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import java.util.UUID;

/**
 * Thrown where a run executing here would write after this instance's lease on it ran out or was taken over:
 * the write is not made and the run stops; its finish writes nothing (the recoverer ends it).
 */
final class LeaseLost extends RuntimeException {
    LeaseLost(UUID runId) {
        super("this instance no longer holds the lease of run " + runId, null, false, false);
    }

    LeaseLost(String message) {
        super(message, null, false, false);
    }
}

package dev.switchboard.scheduling;

import dev.switchboard.run.*;

/** Raised when a run takes more steps than its {@code recursion_limit}. */
final class RecursionLimitException extends RuntimeException {
    RecursionLimitException(int limit) {
        super("Recursion limit of " + limit + " reached without hitting a stop condition.");
    }

    String errorName() {
        return "GraphRecursionError";
    }
}

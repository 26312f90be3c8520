package dev.switchboard.scheduling;

/**
 * A resume that was admitted while its thread was paused but started after another run had answered the pause:
 * there is nothing left to resume. The run ends in error with this name and changes nothing; it is an outcome a
 * client can act on (read the thread, decide again), not a failure of the server.
 */
final class ResumeOvertakenException extends RuntimeException {
    /** The error name a client sees; its code is {@code not_interrupted}, as for a resume refused at admission. */
    static final String ERROR_NAME = "NotInterruptedError";

    ResumeOvertakenException(java.util.UUID threadId) {
        super("Thread " + threadId + " is no longer interrupted: another run answered its pause before this resume"
                + " started, so there was nothing to resume and nothing was changed", null, false, false);
    }
}

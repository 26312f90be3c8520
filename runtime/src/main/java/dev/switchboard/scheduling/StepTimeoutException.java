package dev.switchboard.scheduling;

/**
 * A model call that stayed silent, or a quick tool call that ran, longer than its {@link StepLimits}. The run
 * ends in error with this message (it names what timed out and the setting that bounds it); the call itself
 * was interrupted and, if it ignores interruption, is left behind without holding the run's thread or lease.
 */
public final class StepTimeoutException extends RuntimeException {
    /** The error name a client sees; the message is Switchboard's own words, safe to show. */
    public static final String ERROR_NAME = "StepTimeoutError";

    public StepTimeoutException(String message) {
        super(message);
    }
}

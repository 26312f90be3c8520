package dev.switchboard;

/**
 * The one exception root of Switchboard. Subclasses say what the caller can do about it; each carries
 * a stable machine-readable {@link #code()} that the HTTP layer sends next to the message, and that
 * layer is the only place that maps a subclass to a status.
 */
public abstract sealed class SwitchboardException extends RuntimeException
        permits SwitchboardException.NotFound, SwitchboardException.Conflict,
                SwitchboardException.InvalidRequest, SwitchboardException.Unavailable {

    private final String code;

    protected SwitchboardException(String code, String message) {
        super(message);
        this.code = code;
    }

    protected SwitchboardException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A stable identifier such as {@code thread_busy} or {@code not_found}. */
    public String code() {
        return code;
    }

    /** The thing asked for does not exist (or is not visible to the caller). Retrying will not help. */
    public static final class NotFound extends SwitchboardException {
        public NotFound(String message) {
            super("not_found", message);
        }

        public static NotFound of(String what, Object id) {
            return new NotFound(what + " with ID " + id + " not found");
        }
    }

    /** The request is valid but clashes with the current state; the caller may retry later or differently. */
    public static final class Conflict extends SwitchboardException {
        public Conflict(String code, String message) {
            super(code, message);
        }

        /** A run was refused by the {@code reject} multitask strategy. */
        public static Conflict threadBusy(Object threadId) {
            return new Conflict("thread_busy", "Thread " + threadId
                    + " is already running a task. Wait for it to finish or choose a different multitask strategy.");
        }
    }

    /** The request itself is malformed; the caller must change it. Nothing was changed. */
    public static final class InvalidRequest extends SwitchboardException {
        public InvalidRequest(String message) {
            super("invalid_request", message);
        }

        public InvalidRequest(String code, String message) {
            super(code, message);
        }
    }

    /** The server cannot take the request right now (shutting down, overloaded); the caller may retry. */
    public static final class Unavailable extends SwitchboardException {
        public Unavailable(String message) {
            super("unavailable", message);
        }

        /** With a code saying what is unavailable ({@code store_unavailable}: the database is away). */
        public Unavailable(String code, String message) {
            super(code, message);
        }
    }
}

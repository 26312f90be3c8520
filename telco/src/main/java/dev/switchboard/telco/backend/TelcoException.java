package dev.switchboard.telco.backend;

import java.util.Objects;

/**
 * A request the backend refuses by its rules. The message is a sentence a person (or a model relaying it)
 * can read as it is; the reason lets code tell the cases apart.
 */
public final class TelcoException extends RuntimeException {

    public enum Reason {
        UNKNOWN_CUSTOMER,
        UNKNOWN_PACKAGE,
        SAME_PACKAGE,
        CONTRACT_CLOSED,
        UNKNOWN_COUNTRY,
        UNKNOWN_PASS,
        NO_PASS_NEEDED,
        /** An idempotency key reused for a different action or customer: a caller bug, never applied. */
        KEY_REUSED
    }

    private final Reason reason;

    public TelcoException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}

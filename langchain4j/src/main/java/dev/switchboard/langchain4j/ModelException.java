package dev.switchboard.langchain4j;

/**
 * A model provider failed or refused a call: unreachable, a wrong key, an unknown model, a rate limit, a
 * malformed answer. The message names the model and carries the provider's own words; the run that made
 * the call fails with it. {@link #httpStatus()} is the provider's HTTP status when it sent one, else -1.
 */
public final class ModelException extends RuntimeException {
    private final int httpStatus;

    ModelException(String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}

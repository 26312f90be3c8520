package dev.switchboard.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;

/** What a tool sees of the run that called it. */
public interface ToolContext {

    UUID threadId();

    UUID runId();

    String toolCallId();

    /** thread id + run id + tool call id: the key a side-effecting backend deduplicates on. */
    default String idempotencyKey() {
        return threadId() + ":" + runId() + ":" + toolCallId();
    }

    /** The run's {@code config.configurable}. */
    ObjectNode configurable();

    /** The conversation's coordination namespace ({@code namespace_for_memory}, default {@code ["threads", id]}). */
    List<String> namespace();

    /** Publishes a {@code custom} event on the calling run's stream. */
    void emit(JsonNode payload);

    /**
     * Records progress. For a long-running tool this updates its operation, publishes a progress event and
     * writes the coordination store; it throws {@link OperationCancelledException} once the operation was
     * cancelled. For a quick tool it publishes a progress event only.
     */
    void progress(int percent, String message) throws OperationCancelledException;

    /** Thrown from {@link #progress} when the tool's operation was cancelled before its point of no return. */
    final class OperationCancelledException extends Exception {
        public OperationCancelledException(String message) {
            super(message);
        }
    }
}

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

    /**
     * Pauses the run for a person, as LangGraph's {@code interrupt(value)} does: the run ends, the thread is
     * {@code interrupted} with {@code value} as its pending interrupt, and when a run resumes it with
     * {@code command: {resume}}, this tool is called again from its start and this call returns the resume value
     * (the n-th call of {@code interrupt} in a tool returns the n-th value the pauses were resumed with). Work
     * done before the call is done again on resume, so a tool calls it before its side effects. The
     * {@link PauseRequested} it throws must not be caught. Only a quick tool on the main lane can pause; elsewhere
     * (a background operation, the secondary lane) this throws {@link IllegalStateException}.
     */
    default JsonNode interrupt(JsonNode value) {
        throw new IllegalStateException("this tool cannot pause here: only a quick tool on the main lane can; "
                + "a long-running tool asks for approval before it starts (Tool#approval)");
    }

    /** What {@link #interrupt} throws to stop the run; not to be caught by a tool. */
    final class PauseRequested extends RuntimeException {
        private final transient JsonNode value;

        public PauseRequested(JsonNode value) {
            super("the tool paused the run for a person", null, false, false);
            this.value = value;
        }

        public JsonNode value() {
            return value;
        }
    }

    /** Thrown from {@link #progress} when the tool's operation was cancelled before its point of no return. */
    final class OperationCancelledException extends Exception {
        public OperationCancelledException(String message) {
            super(message);
        }
    }
}

package dev.switchboard.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A tool a model can call. {@link #call} runs on a virtual thread and may block; interruption means
 * cancellation and must be honoured promptly (blocking JDK calls already do). A {@link ToolException}
 * becomes an error result the model can relay; any other exception is reported the same way with its message.
 */
public interface Tool {

    ToolSpec spec();

    String call(ObjectNode arguments, ToolContext context) throws Exception;

    /**
     * Whether a call waits for a person's decision before it runs (never, by default). A run's
     * {@code interrupt_on} config overrides it.
     */
    default ApprovalPolicy approval() {
        return ApprovalPolicy.NEVER;
    }
}

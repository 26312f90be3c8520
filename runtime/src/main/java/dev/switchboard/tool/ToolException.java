package dev.switchboard.tool;

/**
 * A failure the model should see and relay ("that package does not exist"). Not a caller error: it never
 * leaves the runtime as an HTTP status; it becomes a tool message with status {@code error}.
 */
public class ToolException extends Exception {
    public ToolException(String message) {
        super(message);
    }
}

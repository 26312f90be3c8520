package dev.switchboard.message;

/** Whether a tool call succeeded; {@link #wireName()} is LangChain's {@code ToolMessage.status}. */
public enum ToolStatus {
    SUCCESS("success"),
    ERROR("error");

    private final String wireName;

    ToolStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

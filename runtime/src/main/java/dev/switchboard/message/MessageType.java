package dev.switchboard.message;

/** The four message kinds; {@link #wireName()} is LangChain's {@code type} field. */
public enum MessageType {
    HUMAN("human"),
    AI("ai"),
    TOOL("tool"),
    SYSTEM("system");

    private final String wireName;

    MessageType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}

package dev.switchboard.server.cli;

/**
 * Where a chat session shows what happens: answers streaming token by token, operation progress, notes. Two
 * kinds: {@link ChatPrinter} writes a plain transcript (a pipe, a file, the demo), {@link TerminalChatOutput}
 * keeps the line being typed below everything that streams in a real terminal.
 */
interface ChatOutput {
    /** Whether the output can show characters beyond ASCII (arrows, progress blocks). */
    boolean unicode();

    /** A whole line of its own. */
    void line(String text);

    /** Text of the message {@code key}; {@code prefix} ("agent › ") opens its first line. */
    void token(String key, String prefix, String text);

    /**
     * The message {@code key} is complete. A non-blank {@code marker} ("[interrupted]") says how it ended, if oddly,
     * on a line of its own.
     */
    void endMessage(String key, String marker);

    /**
     * The progress line {@code key}: {@code text} is all of it, {@code phase} the part that matters when only
     * changes are shown (the step, not the percentage); {@code last} ends it.
     */
    void bar(String key, String text, String phase, boolean last);

    /** Leaves the output on a fresh line. */
    void finish();
}

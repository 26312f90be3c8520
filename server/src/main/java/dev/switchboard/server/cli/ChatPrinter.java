package dev.switchboard.server.cli;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * One terminal shared by several streams (the main answer, a secondary-lane answer, an operation's progress).
 * Whoever printed last "owns" the unfinished line: tokens of the same message continue it; anything else
 * starts a new line, and a message that resumes after an interruption is marked with "…". A progress bar
 * redraws its own line with {@code \r}, but never cuts into a streaming answer: its update waits until that
 * answer's line is done.
 */
final class ChatPrinter {
    private final PrintStream out;
    private final boolean unicode;
    private final LongSupplier elapsedMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, String> prefixes = new HashMap<>();
    private final Set<String> started = new HashSet<>();
    private final Map<String, Bar> held = new LinkedHashMap<>();
    private String owner;
    private boolean ownerIsBar;
    private int barWidth;

    private record Bar(String text, boolean last) {
    }

    /** {@code elapsedMillis} stamps each line (the demo's timings); null for none. */
    ChatPrinter(PrintStream out, Charset charset, LongSupplier elapsedMillis) {
        this.out = out;
        this.unicode = charset != null && charset.equals(StandardCharsets.UTF_8);
        this.elapsedMillis = elapsedMillis;
    }

    boolean unicode() {
        return unicode;
    }

    /** A whole line of its own. */
    void line(String text) {
        lock.lock();
        try {
            breakLine();
            startLine();
            out.print(text);
            out.print('\n');
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Text of the message {@code key}; {@code prefix} opens its line. */
    void token(String key, String prefix, String text) {
        lock.lock();
        try {
            if (!key.equals(owner)) {
                breakLine();
                startLine();
                out.print(prefix);
                if (started.contains(key)) {
                    out.print(unicode ? "…" : "...");
                    if (!text.isEmpty() && !Character.isWhitespace(text.charAt(0))) {
                        out.print(' ');
                    }
                }
                prefixes.put(key, prefix);
                started.add(key);
                owner = key;
                ownerIsBar = false;
            }
            out.print(text);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** The message {@code key} is complete; {@code suffix} (" [interrupted]") says how it ended, if oddly. */
    void endMessage(String key, String suffix) {
        lock.lock();
        try {
            if (key.equals(owner)) {
                out.print(suffix);
                out.print('\n');
                owner = null;
            } else if (started.contains(key) && !suffix.isEmpty()) {
                breakLine();
                startLine();
                out.print(prefixes.getOrDefault(key, "") + (unicode ? "…" : "...") + suffix + "\n");
            }
            started.remove(key);
            flushHeld();
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Draws (or redraws in place) the progress line {@code key}; {@code last} ends it with a newline. */
    void bar(String key, String text, boolean last) {
        lock.lock();
        try {
            if (owner != null && !ownerIsBar) {
                Bar previous = held.get(key);
                held.put(key, new Bar(text, last || previous != null && previous.last()));
                return;
            }
            drawBar(key, text, last);
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    private void drawBar(String key, String text, boolean last) {
        if (key.equals(owner)) {
            out.print('\r');
        } else {
            breakLine();
            barWidth = 0;
        }
        startLine();
        out.print(text);
        // Spaces wipe what a longer earlier version of this line left behind.
        int width = text.length();
        if (width < barWidth) {
            out.print(" ".repeat(barWidth - width));
        }
        barWidth = width;
        if (last) {
            out.print('\n');
            owner = null;
        } else {
            owner = key;
            ownerIsBar = true;
        }
    }

    private void flushHeld() {
        if (owner != null && !ownerIsBar) {
            return;
        }
        var pending = new LinkedHashMap<>(held);
        held.clear();
        pending.forEach((key, bar) -> drawBar(key, bar.text(), bar.last()));
    }

    private void breakLine() {
        if (owner != null) {
            out.print('\n');
            owner = null;
        }
    }

    private void startLine() {
        if (elapsedMillis != null) {
            out.printf("[%6.2fs] ", elapsedMillis.getAsLong() / 1000.0);
        }
    }

    /**
     * The person pressed Enter in a real terminal: the cursor is on a fresh line now, though nothing here
     * printed the newline, so whatever streams next starts its own line.
     */
    void typedLine() {
        lock.lock();
        try {
            owner = null;
            barWidth = 0;
        } finally {
            lock.unlock();
        }
    }

    /** Leaves the terminal on a fresh line. */
    void finish() {
        lock.lock();
        try {
            breakLine();
            flushHeld();
            breakLine();
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}

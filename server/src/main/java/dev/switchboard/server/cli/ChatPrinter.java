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
 * A plain transcript shared by several streams (the main answer, a secondary-lane answer, an operation's progress):
 * what {@code switchboard chat} prints into a pipe or a file, and what the demo prints. Whoever printed last "owns"
 * the unfinished line: tokens of the same message continue it; anything else starts a new line, and a message
 * that resumes after an interruption is marked with "…". How an answer ended oddly ("[interrupted]") is a line of
 * its own. With {@code redraw}, a progress bar redraws its own line with {@code \r} (never cutting into a
 * streaming answer: its update waits until that answer's line is done); without, it prints a line only when its
 * step changes, so a pipe holds no carriage returns.
 */
final class ChatPrinter implements ChatOutput {
    private final PrintStream out;
    private final boolean unicode;
    private final LongSupplier elapsedMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, String> prefixes = new HashMap<>();
    private final Set<String> started = new HashSet<>();
    private final Map<String, Bar> held = new LinkedHashMap<>();
    private final boolean redraw;
    private final Map<String, String> phases = new HashMap<>();
    private String owner;
    private boolean ownerIsBar;
    private int barWidth;

    private record Bar(String text, boolean last) {
    }

    /** {@code elapsedMillis} stamps each line (the demo's timings); null for none. Progress bars redraw. */
    ChatPrinter(PrintStream out, Charset charset, LongSupplier elapsedMillis) {
        this(out, charset, elapsedMillis, true);
    }

    ChatPrinter(PrintStream out, Charset charset, LongSupplier elapsedMillis, boolean redraw) {
        this.out = out;
        this.unicode = charset != null && charset.equals(StandardCharsets.UTF_8);
        this.elapsedMillis = elapsedMillis;
        this.redraw = redraw;
    }

    @Override
    public boolean unicode() {
        return unicode;
    }

    @Override
    public void line(String text) {
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

    @Override
    public void token(String key, String prefix, String text) {
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

    @Override
    public void endMessage(String key, String marker) {
        lock.lock();
        try {
            boolean odd = marker != null && !marker.isBlank();
            String prefix = prefixes.getOrDefault(key, "");
            if (key.equals(owner)) {
                out.print('\n');
                owner = null;
                if (odd) {
                    // Right under the cut answer: the marker lines up with its text.
                    startLine();
                    out.print(" ".repeat(prefix.length()) + marker.strip() + "\n");
                }
            } else if (started.contains(key) && odd) {
                // Other lines came between: the marker says whose answer it ends.
                breakLine();
                startLine();
                out.print(prefix + (unicode ? "… " : "... ") + marker.strip() + "\n");
            }
            started.remove(key);
            flushHeld();
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Draws (or redraws in place) the progress line {@code key}; {@code last} ends it with a newline. */
    @Override
    public void bar(String key, String text, String phase, boolean last) {
        lock.lock();
        try {
            if (!redraw) {
                // A pipe gets a line per step and one at the end: readable, and no carriage returns.
                if (last) {
                    phases.remove(key);
                } else if (phase.equals(phases.put(key, phase))) {
                    return;
                }
                line(text);
                return;
            }
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

    @Override
    public void finish() {
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

package dev.switchboard.server.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.jline.reader.LineReader;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;

/**
 * The chat in a real terminal, on JLine. The screen has two parts: above, finished lines, which never change; below,
 * the live part JLine redraws: the lines still being written (an answer's current line, each running operation's
 * progress) and, last, the {@code you › } prompt with what the person is typing. Streamed text therefore never
 * lands inside the typed line, and a progress bar redraws without touching either.
 *
 * <p>The live lines are the prompt's first lines: JLine redraws prompt and buffer together, so a token that arrives
 * while someone types is one redraw of the live part. A line is finished when its text has a newline, when it
 * would wrap, or when its message ends; it then goes above with {@link LineReader#printAbove}.
 */
final class TerminalChatOutput implements ChatOutput {
    private final LineReader reader;
    private final Terminal terminal;
    private final boolean unicode;
    private final String prompt;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Live> messages = new LinkedHashMap<>();
    private final Map<String, String> bars = new LinkedHashMap<>();
    /** The message whose line went above last (null: something else did), so a marker can sit right under it. */
    private String lastAbove;

    /** An answer being written: its prefix, whether a line of it is already above, and its unfinished line. */
    private static final class Live {
        final String prefix;
        boolean printedAbove;
        boolean resumed;
        final StringBuilder current = new StringBuilder();

        Live(String prefix) {
            this.prefix = prefix;
        }
    }

    TerminalChatOutput(LineReader reader, boolean unicode) {
        this.reader = reader;
        this.terminal = reader.getTerminal();
        this.unicode = unicode;
        this.prompt = unicode ? "you › " : "you > ";
    }

    @Override
    public boolean unicode() {
        return unicode;
    }

    /** The prompt for {@link LineReader#readLine(String)}: the live lines, then {@code you › }. */
    String prompt() {
        lock.lock();
        try {
            return promptText();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void line(String text) {
        lock.lock();
        try {
            above(List.of(text), null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The person sent {@code text}: the answers' unfinished lines go above as they are (what the screen showed
     * stays in its order), then the sent line, echoed as {@code you › text}. An answer that goes on afterwards
     * continues on a new line marked "…".
     */
    void sent(String text) {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Live live : messages.values()) {
                if (!live.current.isEmpty()) {
                    out.add(firstPart(live) + live.current);
                    live.current.setLength(0);
                    live.printedAbove = true;
                    live.resumed = true;
                }
            }
            out.add(prompt + text);
            above(out, null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void token(String key, String prefix, String text) {
        lock.lock();
        try {
            Live live = messages.computeIfAbsent(key, k -> new Live(prefix));
            List<String> finished = new ArrayList<>();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    finished.add(firstPart(live) + live.current);
                    live.current.setLength(0);
                    live.printedAbove = true;
                    live.resumed = false;
                } else if (c != '\r') {
                    live.current.append(c);
                }
            }
            wrap(live, finished);
            if (finished.isEmpty()) {
                redraw();
            } else {
                above(finished, key);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A line that would not fit the terminal goes above, cut at its last space. */
    private void wrap(Live live, List<String> finished) {
        int width = Math.max(20, terminal.getWidth() - 1);
        while (firstPart(live).length() + live.current.length() > width) {
            int room = width - firstPart(live).length();
            int cut = live.current.lastIndexOf(" ", room);
            if (cut <= 0) {
                cut = room;
            }
            finished.add(firstPart(live) + live.current.substring(0, cut).stripTrailing());
            live.current.delete(0, cut);
            while (!live.current.isEmpty() && live.current.charAt(0) == ' ') {
                live.current.deleteCharAt(0);
            }
            live.printedAbove = true;
            live.resumed = false;
        }
    }

    /** What opens the current line: the prefix, spaces under it on later lines, "…" after an interruption. */
    private String firstPart(Live live) {
        if (!live.printedAbove) {
            return live.prefix;
        }
        if (live.resumed) {
            return live.prefix + (unicode ? "… " : "... ");
        }
        return " ".repeat(live.prefix.length());
    }

    @Override
    public void endMessage(String key, String marker) {
        lock.lock();
        try {
            Live live = messages.remove(key);
            List<String> out = new ArrayList<>();
            boolean adjacent = key.equals(lastAbove);
            if (live != null && !live.current.isEmpty()) {
                out.add(firstPart(live) + live.current);
                adjacent = true;
            }
            if (live != null && marker != null && !marker.isBlank()) {
                // Right under the cut answer the marker lines up with its text; after other lines it names whose.
                out.add((adjacent ? " ".repeat(live.prefix.length()) : live.prefix + (unicode ? "… " : "... "))
                        + marker.strip());
            }
            if (out.isEmpty()) {
                redraw();
            } else {
                above(out, null);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void bar(String key, String text, String phase, boolean last) {
        lock.lock();
        try {
            if (last) {
                bars.remove(key);
                above(List.of(text), null);
            } else {
                bars.put(key, text);
                redraw();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void finish() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Live live : messages.values()) {
                if (!live.current.isEmpty()) {
                    out.add(firstPart(live) + live.current);
                }
            }
            messages.clear();
            out.addAll(bars.values());
            bars.clear();
            if (!out.isEmpty()) {
                above(out, null);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- drawing ------------------------------------------------------------------------------------------

    private String promptText() {
        StringBuilder b = new StringBuilder();
        for (Live live : messages.values()) {
            if (!live.current.isEmpty()) {
                b.append(escape(firstPart(live) + live.current)).append('\n');
            }
        }
        int width = Math.max(20, terminal.getWidth() - 1);
        for (String bar : bars.values()) {
            b.append(escape(bar.length() > width ? bar.substring(0, width) : bar)).append('\n');
        }
        return b.append(escape(prompt)).toString();
    }

    /** JLine expands {@code %} sequences in prompts; streamed text is shown as it is. */
    private static String escape(String text) {
        return text.replace("%", "%%");
    }

    /** Finished lines go above the live part (the last of them {@code key}'s); the live part is redrawn below. */
    private void above(List<String> lines, String key) {
        lastAbove = key;
        setPrompt();
        reader.printAbove(String.join("\n", lines) + "\n");
    }

    /** The live part changed: JLine redraws it (prompt and typed line) in place, only while it is reading. */
    private void redraw() {
        setPrompt();
        if (reader.isReading()) {
            try {
                reader.callWidget(LineReader.REDISPLAY);
            } catch (IllegalStateException notReading) {
                // readLine returned meanwhile; the next one draws the new prompt
            }
        }
    }

    private void setPrompt() {
        if (reader instanceof LineReaderImpl impl) {
            impl.setPrompt(promptText());
        }
    }
}

package dev.switchboard.server.cli;

import dev.switchboard.server.api.RequestIds;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per log record, with the request id of the request being handled (or "-"). */
final class LogFormat extends Formatter {
    // java.util.logging holds loggers weakly: keep the tuned ones, or their levels vanish with them.
    private static final java.util.List<Logger> TUNED = new java.util.ArrayList<>();

    private static final Gate GATE = new Gate();

    /**
     * Until start-up has succeeded, log records wait: a start-up failure is one line of its own (see
     * {@link StartupProblem}), not that line after the library warnings that led to it.
     */
    static void hold() {
        GATE.hold();
    }

    /** Start-up succeeded: what waited is printed, and records print as they come from now on. */
    static void release() {
        GATE.release(true);
    }

    /** Start-up failed: what waited is dropped, unless {@code print} (--debug). */
    static void discard(boolean print) {
        GATE.release(print);
    }

    /** Passes records to the console, or keeps them while held. */
    private static final class Gate extends Handler {
        private final java.util.List<LogRecord> waiting = new java.util.ArrayList<>();
        private volatile Handler target;
        private boolean holding;

        synchronized void hold() {
            holding = true;
        }

        synchronized void release(boolean print) {
            holding = false;
            if (print && target != null) {
                waiting.forEach(target::publish);
                target.flush();
            }
            waiting.clear();
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (holding) {
                waiting.add(record);
            } else if (target != null) {
                target.publish(record);
            }
        }

        @Override
        public void flush() {
            if (target != null) {
                target.flush();
            }
        }

        @Override
        public void close() {
            if (target != null) {
                target.close();
            }
        }
    }

    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new LogFormat());
        console.setLevel(Level.ALL);
        GATE.target = console;
        root.addHandler(GATE);
        root.setLevel(Level.INFO);
        for (String quiet : new String[] {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb"}) {
            Logger logger = Logger.getLogger(quiet);
            logger.setLevel(Level.WARNING);
            TUNED.add(logger);
        }
    }

    @Override
    public String format(LogRecord r) {
        String requestId = RequestIds.current();
        StringBuilder line = new StringBuilder(128)
                .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                .append(r.getLevel().getName()).append(' ')
                .append('[').append(requestId == null ? "-" : requestId).append("] ")
                .append(r.getLoggerName()).append(": ")
                .append(formatMessage(r).replace('\n', ' '));
        if (r.getThrown() != null) {
            line.append(" | ").append(r.getThrown());
            for (StackTraceElement e : r.getThrown().getStackTrace()) {
                line.append(" at ").append(e);
            }
        }
        return line.append(System.lineSeparator()).toString();
    }
}

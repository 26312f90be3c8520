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

    static void install() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new LogFormat());
        console.setLevel(Level.ALL);
        root.addHandler(console);
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

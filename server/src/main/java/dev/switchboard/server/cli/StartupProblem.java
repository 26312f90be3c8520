package dev.switchboard.server.cli;

import io.javalin.util.JavalinBindException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * A start-up failure said the way a person acts on it: what went wrong and what to do, printed as the one line
 * {@code switchboard: <what> — <what to do>}. {@link #explain} turns what the layers below throw into one, by the
 * stage it happened in, so that a busy port names the port and a database problem names the database setting.
 */
final class StartupProblem extends RuntimeException {
    private final String what;
    private final String todo;

    StartupProblem(String what, String todo, Throwable cause) {
        super(what + " — " + todo, cause);
        this.what = what;
        this.todo = todo;
    }

    StartupProblem(String what, String todo) {
        this(what, todo, null);
    }

    String what() {
        return what;
    }

    String todo() {
        return todo;
    }

    /** The line printed on stderr. */
    String line() {
        return "switchboard: " + what + " — " + todo;
    }

    /** Where start-up was when it failed: each stage knows which setting a person should look at. */
    enum Stage {
        SETTINGS, DATABASE, MODEL, LISTEN
    }

    /** The problem behind {@code failure}, which happened during {@code stage}. */
    static StartupProblem explain(Stage stage, Throwable failure, Target target) {
        if (failure instanceof StartupProblem problem) {
            return problem;
        }
        String message = rootMessage(failure);
        return switch (stage) {
            case SETTINGS -> split(failure, "correct it and start again ('switchboard serve --help' lists every setting)");
            case MODEL -> split(failure, "choose offline, openai:<model>, ollama:<model> or anthropic:<model> with "
                    + "--model (or REACT_MODEL)");
            case DATABASE -> database(failure, message, target);
            case LISTEN -> listen(failure, message, target);
        };
    }

    /** What start-up was aiming at, for the words of a failure. */
    record Target(String host, int port, String databaseUrl) {
    }

    /**
     * Settings and models say "what; what to do" (e.g. "the model openai:gpt-4o needs OPENAI_API_KEY; set it, …"):
     * the two halves of the line. A message without its own advice gets {@code fallback}.
     */
    private static StartupProblem split(Throwable failure, String fallback) {
        String message = String.valueOf(failure.getMessage());
        int at = message.indexOf("; ");
        if (at > 0) {
            return new StartupProblem(message.substring(0, at), message.substring(at + 2), failure);
        }
        return new StartupProblem(message, fallback, failure);
    }

    private static StartupProblem database(Throwable failure, String rootMessage, Target target) {
        String where = redact(target.databaseUrl());
        String fix = "choose another with --database-url (or SWITCHBOARD_DATABASE_URL): jdbc:sqlite:<file> or "
                + "jdbc:postgresql://<host>/<database>";
        if (failure instanceof IllegalArgumentException) {
            return new StartupProblem(firstClause(failure.getMessage()), fix, failure);
        }
        if (failure instanceof UncheckedIOException) {
            return new StartupProblem(failure.getMessage() + " (" + rootMessage + ")",
                    "make the directory writable or " + fix.replace("choose another", "choose another database"), failure);
        }
        if (where.startsWith("jdbc:postgresql:")) {
            return new StartupProblem("cannot use the database " + where + ": " + rootMessage,
                    "check that PostgreSQL is running there and the user may connect, or " + fix, failure);
        }
        if (hasCause(failure, SQLException.class) || rootMessage.toLowerCase(Locale.ROOT).contains("sqlite")) {
            return new StartupProblem("cannot open the database " + where + ": " + rootMessage,
                    "check that the file and its directory are writable, or " + fix, failure);
        }
        return new StartupProblem(firstClause(failure.getMessage() == null ? rootMessage : failure.getMessage()),
                "run again with --debug for the details, or " + fix, failure);
    }

    private static StartupProblem listen(Throwable failure, String rootMessage, Target target) {
        if (hasCause(failure, JavalinBindException.class) || hasCause(failure, BindException.class)) {
            if (rootMessage.toLowerCase(Locale.ROOT).contains("in use")
                    || failure.getMessage() != null && failure.getMessage().contains("already in use")) {
                return new StartupProblem("port " + target.port() + " on " + target.host()
                        + " is already in use (another Switchboard, or another program)",
                        "stop that program, or pick another port with --port <n> (or SWITCHBOARD_PORT; 0 picks a free one)",
                        failure);
            }
            return new StartupProblem("cannot listen on " + target.host() + ":" + target.port() + " (" + rootMessage + ")",
                    "pick an address of this machine with --host (or SWITCHBOARD_HOST), e.g. 127.0.0.1 or 0.0.0.0",
                    failure);
        }
        return new StartupProblem("the HTTP server did not start: " + rootMessage,
                "run again with --debug for the details", failure);
    }

    /** A database URL without its credentials: user info before '@' and every query parameter go. */
    static String redact(String url) {
        if (url == null) {
            return "jdbc:sqlite:data/switchboard.db";
        }
        String out = url;
        int query = out.indexOf('?');
        if (query >= 0) {
            out = out.substring(0, query);
        }
        int scheme = out.indexOf("//");
        int at = out.indexOf('@');
        if (scheme >= 0 && at > scheme) {
            out = out.substring(0, scheme + 2) + out.substring(at + 1);
        }
        return out;
    }

    /** The "what" of a message that also says what to do ("…: use X", "…; set Y"): the part before that. */
    private static String firstClause(String message) {
        if (message == null) {
            return "an invalid setting";
        }
        for (String joint : new String[] {"; ", ": use "}) {
            int at = message.indexOf(joint);
            if (at > 0) {
                return message.substring(0, at);
            }
        }
        return message;
    }

    static String rootMessage(Throwable failure) {
        Throwable t = failure;
        String last = failure.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                last = t.getMessage();
            }
        }
        return last == null ? failure.getClass().getSimpleName() : last.replace('\n', ' ').strip();
    }

    private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}

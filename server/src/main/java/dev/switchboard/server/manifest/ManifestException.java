package dev.switchboard.server.manifest;

/**
 * A mistake in a manifest, said the way a person fixes it: which entry ({@code agents.support},
 * {@code classpath[1]}), what is wrong, and what to do. Start-up prints it as one line and exits non-zero.
 */
public final class ManifestException extends RuntimeException {
    private final String what;
    private final String todo;

    ManifestException(String what, String todo, Throwable cause) {
        super(what + " — " + todo, cause);
        this.what = what;
        this.todo = todo;
    }

    ManifestException(String what, String todo) {
        this(what, todo, null);
    }

    /** What is wrong, naming the manifest and the entry. */
    public String what() {
        return what;
    }

    /** What to do about it. */
    public String todo() {
        return todo;
    }
}

package dev.switchboard.server;

/** The server's version string, reported by {@code /info} and {@code switchboard --version}. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}

package dev.switchboard.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The terminal chat's visitor id, which a server without sign-in uses to give this terminal user a demo account of
 * their own (DESIGN.md §6). {@code SWITCHBOARD_VISITOR} names one; otherwise it is kept in
 * {@code ~/.switchboard/visitor}, so a conversation continued later ({@code --thread}) acts on the same account.
 * Without a writable home the id lives as long as the process.
 */
final class Visitor {
    private static final Logger LOG = Logger.getLogger(Visitor.class.getName());

    private Visitor() {
    }

    static String id(Map<String, String> env) {
        String home = System.getProperty("user.home");
        return id(env, home == null || home.isBlank() ? null : Path.of(home));
    }

    /** The visitor id {@code env} names, else the one kept under {@code home} (made there the first time). */
    static String id(Map<String, String> env, Path home) {
        String given = env.get("SWITCHBOARD_VISITOR");
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        String fresh = "cli-" + UUID.randomUUID();
        if (home == null) {
            return fresh;
        }
        Path file = home.resolve(".switchboard").resolve("visitor");
        try {
            if (Files.isRegularFile(file)) {
                String kept = Files.readString(file).strip();
                if (kept.matches("[A-Za-z0-9._-]{8,128}")) {
                    return kept;
                }
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, fresh + "\n");
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot keep the visitor id in " + file, e);
        }
        return fresh;
    }
}

package dev.switchboard.bench;

import java.nio.file.Path;

/**
 * How servers are started: the java command and class path for ours, the peer's directory, where logs and
 * recordings go ({@code out}), where our SQLite files go ({@code work}; a tmpfs there takes fsync out of the
 * figures, for diagnosis only), and whether ours records a JFR profile.
 */
record Launch(String java, String classPath, Path peerDir, Path out, Path work, boolean jfr) {
}

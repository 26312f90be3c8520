package dev.switchboard.bench;

import java.nio.file.Path;

/**
 * How servers are started: the java command and class path for ours, the peer's directory, where logs and
 * recordings go ({@code out}), where our SQLite files and class cache go ({@code work}; a tmpfs there takes fsync
 * out of the figures, for diagnosis only), whether ours records a JFR profile, whether ours uses a class cache
 * as {@code bin/switchboard serve} does, which engine ours stores in, and the PostgreSQL to use (null when the
 * run has no PostgreSQL).
 */
record Launch(String java, String classPath, Path peerDir, Path out, Path work, boolean jfr, boolean classCache,
        Engine engine, Postgres postgres) {

    Launch withEngine(Engine e) {
        return new Launch(java, classPath, peerDir, out, work, jfr, classCache, e, postgres);
    }
}

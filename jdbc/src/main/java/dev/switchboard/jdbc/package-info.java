/**
 * Durable storage for Switchboard: SQLite and PostgreSQL implementations of the runtime's six storage ports
 * (threads, runs, checkpoints, operations, store items, assistants) behind one entry point,
 * {@link dev.switchboard.jdbc.Database}. Each passes the same testkit contract suite as the in-memory stores.
 *
 * <h2>Choosing an engine</h2>
 * <ul>
 *   <li><b>SQLite</b> (the default, {@code jdbc:sqlite:./data/switchboard.db}): zero set-up, one file, one
 *       server instance. Several processes may open the same file (each write transaction takes the file's
 *       write lock with {@code BEGIN IMMEDIATE} and waits up to 10 s for it), but writes are serialised, so
 *       it suits one instance with moderate traffic. Settings, applied to every connection:
 *       {@code journal_mode=WAL} (readers never wait for the writer), {@code synchronous=FULL} (a commit has
 *       reached the disk before it returns: an acknowledged write survives a power cut, not only a crash of
 *       the process; NORMAL would be faster but could lose the last commits on power loss),
 *       {@code busy_timeout=10000}, {@code foreign_keys=ON}. Within one process writers queue on a lock
 *       before asking SQLite, so contention never becomes SQLITE_BUSY errors.</li>
 *   <li><b>PostgreSQL</b> ({@code SWITCHBOARD_DATABASE_URL=jdbc:postgresql://host:5432/db?user=...&password=...}):
 *       for several server instances sharing one deployment, PostgreSQL being the only shared service.
 *       Connections are pooled with HikariCP (at most 10 per instance). Run admission and claiming lock the
 *       thread with a transaction-scoped advisory lock, operation updates lock the operation's row, so the
 *       single-active-run rule and every read-modify-write hold across instances. Commits are as durable as
 *       the server's own {@code synchronous_commit} (on by default).</li>
 * </ul>
 *
 * <h2>Leases</h2>
 * Running runs and operations carry their owner (the executing instance's id) and a lease end; renewals, take-overs
 * and fenced ends are single conditional UPDATEs naming the owner (and for a take-over the lease end) they
 * expect, so the database decides every race between a live owner, a stale one and recoverers. With several
 * instances, lease ends are compared on each instance's clock: keep the clocks in step (NTP) to well under a
 * lease (30 s by default).
 *
 * <h2>Schema</h2>
 * One schema for both engines, created and upgraded at {@link dev.switchboard.jdbc.Database#open} by
 * versioned Flyway migrations ({@code dev/switchboard/jdbc/migration}); the conventions (UUID text, instants
 * as nanoseconds, JSON as text) are written at the top of the first one. A database whose schema is newer
 * than this build knows is refused with a message that says so. JSON filters (thread metadata and values,
 * assistant metadata, store item filters) are evaluated in Java with {@link dev.switchboard.Json#contains},
 * so every engine answers exactly as the in-memory stores do.
 */
package dev.switchboard.jdbc;

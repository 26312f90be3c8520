package dev.switchboard.bench;

/** Which database our server stores in; each of ours' rows says it (no suffix for SQLite, "-pg" for PostgreSQL). */
enum Engine {
    SQLITE("sqlite", "", "SQLite (synchronous=FULL)"),
    POSTGRES("postgres", "-pg", "embedded PostgreSQL 17 (fsync on, synchronous_commit on)");

    final String wireName;
    /** Appended to a row's id, so P0 and P0-pg sit side by side in results.md and results.json. */
    final String idSuffix;
    final String description;

    Engine(String wireName, String idSuffix, String description) {
        this.wireName = wireName;
        this.idSuffix = idSuffix;
        this.description = description;
    }

    String wireName() {
        return wireName;
    }

    /** Answers this engine's version of a row: its id suffixed and its note saying where ours stored. */
    Row tag(Row row) {
        if (this == SQLITE) {
            return row;
        }
        return new Row(row.id() + idSuffix, row.name(), row.unit(), row.better(), row.ours(), row.peer(),
                row.target(), row.met(), "ours on " + description + "; " + row.note());
    }
}

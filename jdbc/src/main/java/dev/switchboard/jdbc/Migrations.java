package dev.switchboard.jdbc;

import java.util.Arrays;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * Brings a database's schema to the version this build knows, with Flyway and the versioned scripts under
 * {@code dev/switchboard/jdbc/migration}. A schema newer than that is refused rather than used: an older
 * server would otherwise read and write tables whose meaning it does not know.
 */
final class Migrations {
    static final String LOCATION = "classpath:dev/switchboard/jdbc/migration";

    private Migrations() {
    }

    static void apply(DataSource dataSource, Dialect dialect) {
        apply(dataSource, dialect, LOCATION, "flyway_schema_history");
    }

    /**
     * Applies one module's migrations with a history table of its own, so modules version their tables
     * independently (the telco backend's V1 is not the storage ports' V1).
     */
    static void apply(DataSource dataSource, Dialect dialect, String location, String historyTable) {
        if (dialect != Dialect.SQLITE) {
            migrate(dataSource, dialect, location, historyTable);
            return;
        }
        // SQLite has no lock Flyway can take: instances of one process opening the same file at once each run the
        // migrations in their own transactions, and with several migrations to apply their write locks can wait on
        // one another past the busy timeout. One at a time in a process; the first applies, the rest find the
        // schema current.
        SQLITE_MIGRATIONS.lock();
        try {
            migrate(dataSource, dialect, location, historyTable);
        } finally {
            SQLITE_MIGRATIONS.unlock();
        }
    }

    private static final java.util.concurrent.locks.ReentrantLock SQLITE_MIGRATIONS = new java.util.concurrent.locks.ReentrantLock();

    private static void migrate(DataSource dataSource, Dialect dialect, String location, String historyTable) {
        if (SchemaVersion.isCurrent(dataSource, location, historyTable)) {
            // Every script of this build is applied and nothing newer is: Flyway (its classes, its scan and its
            // validation, a third of a start) has nothing to do. Anything else, a fresh database included, goes
            // through Flyway, which applies, validates and refuses as below.
            return;
        }
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(location)
                .table(historyTable)
                // A module's first migration meets a schema that already holds other modules' tables:
                // start its own history at version 0 so its V1 still runs.
                .baselineOnMigrate(!LOCATION.equals(location))
                .baselineVersion("0")
                .placeholders(dialect.migrationPlaceholders())
                .load();
        refuseNewerSchema(flyway);
        flyway.migrate();
    }

    private static void refuseNewerSchema(Flyway flyway) {
        MigrationInfo[] unknown = Arrays.stream(flyway.info().applied())
                .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .toArray(MigrationInfo[]::new);
        if (unknown.length == 0) {
            return;
        }
        MigrationInfo current = flyway.info().current();
        MigrationInfo known = Arrays.stream(flyway.info().all())
                .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                .reduce((a, b) -> b)
                .orElse(null);
        throw new IllegalStateException("The database schema is at version "
                + (current == null ? "?" : current.getVersion())
                + ", newer than this Switchboard knows (" + (known == null ? "none" : known.getVersion())
                + "); it was migrated by a newer release. Run that release (or newer) against it, or point "
                + "SWITCHBOARD_DATABASE_URL at another database. Unknown migrations: "
                + Arrays.stream(unknown).map(m -> m.getVersion() + " " + m.getDescription())
                        .collect(Collectors.joining(", ")));
    }
}

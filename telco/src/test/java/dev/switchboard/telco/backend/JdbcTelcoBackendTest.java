package dev.switchboard.telco.backend;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The contract on SQLite, over the shipped migration. */
class JdbcTelcoBackendTest extends TelcoBackendContract {
    @TempDir
    Path dir;

    @Override
    TelcoBackend create(Clock clock) {
        return new JdbcTelcoBackend(SqliteDatabase.migrated(dir), clock);
    }
}

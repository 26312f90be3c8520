package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The start-up fast path that skips Flyway says "current" only when it is sure. */
class SchemaVersionTest {
    private static final String HISTORY = "flyway_schema_history";

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @Test
    void aMigratedDatabase_isCurrent_soFlywayIsSkippedOnTheNextStart() {
        Database db = sqlite.open(Clock.systemUTC());
        assertThat(SchemaVersion.shippedVersions(Migrations.LOCATION)).contains("1", "6");
        assertThat(SchemaVersion.isCurrent(db.dataSource(), Migrations.LOCATION, HISTORY)).isTrue();
    }

    @Test
    void aDatabaseMissingAScript_isNotCurrent() throws SQLException {
        Database db = sqlite.open(Clock.systemUTC());
        execute(db, "DELETE FROM " + HISTORY + " WHERE version = '6'");
        assertThat(SchemaVersion.isCurrent(db.dataSource(), Migrations.LOCATION, HISTORY)).isFalse();
    }

    @Test
    void aDatabaseWithANewerOrFailedScript_isNotCurrent_soFlywayRefusesIt() throws SQLException {
        Database db = sqlite.open(Clock.systemUTC());
        execute(db, "INSERT INTO " + HISTORY + " (installed_rank, version, description, type, script, checksum, "
                + "installed_by, execution_time, success) VALUES (999, '999', 'future', 'SQL', 'V999__future.sql', 0, "
                + "'x', 0, 1)");
        assertThat(SchemaVersion.isCurrent(db.dataSource(), Migrations.LOCATION, HISTORY)).isFalse();
        execute(db, "UPDATE " + HISTORY + " SET success = 0, version = '6' WHERE version = '999'");
        assertThat(SchemaVersion.isCurrent(db.dataSource(), Migrations.LOCATION, HISTORY)).isFalse();
    }

    @Test
    void aDatabaseWithoutHistory_isNotCurrent() {
        Database db = sqlite.open(Clock.systemUTC());
        assertThat(SchemaVersion.isCurrent(db.dataSource(), Migrations.LOCATION, "no_such_history")).isFalse();
        assertThat(SchemaVersion.isCurrent(db.dataSource(), "classpath:no/such/place", HISTORY)).isFalse();
    }

    private static void execute(Database db, String sql) throws SQLException {
        try (var c = db.dataSource().getConnection(); var st = c.createStatement()) {
            st.execute(sql);
        }
    }
}

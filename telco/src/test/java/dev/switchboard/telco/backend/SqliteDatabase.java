package dev.switchboard.telco.backend;

import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** A SQLite file migrated with the shipped {@code db/telco} migrations, as the server runs them. */
final class SqliteDatabase {
    private SqliteDatabase() {
    }

    static SQLiteDataSource migrated(Path dir) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        config.enforceForeignKeys(true);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + dir.resolve("telco.db"));
        Flyway.configure().dataSource(dataSource).locations("classpath:db/telco").table("flyway_telco_history")
                .load().migrate();
        return dataSource;
    }
}

package dev.switchboard.jdbc;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The expiry sweeper on a SQLite file. */
class SqliteThreadExpiryTest extends ThreadExpiryOnDatabase {
    @RegisterExtension
    final TestDatabase db = TestDatabase.sqlite();

    @Override
    TestDatabase db() {
        return db;
    }
}

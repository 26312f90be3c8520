package dev.switchboard.jdbc;

import dev.switchboard.thread.ThreadStore;
import dev.switchboard.testkit.ThreadStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteThreadStoreTest extends ThreadStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.sqlite();

    @Override
    protected ThreadStore newStore(Clock clock) {
        return database.open(clock).threads();
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.thread.ThreadStore;
import dev.switchboard.testkit.ThreadStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresThreadStoreTest extends ThreadStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected ThreadStore newStore(Clock clock) {
        return database.open(clock).threads();
    }
}

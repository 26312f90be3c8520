package dev.switchboard.jdbc;

import dev.switchboard.run.RunStore;
import dev.switchboard.testkit.RunStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteRunStoreTest extends RunStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.sqlite();

    @Override
    protected RunStore newStore(Clock clock) {
        return database.open(clock).runs();
    }
}

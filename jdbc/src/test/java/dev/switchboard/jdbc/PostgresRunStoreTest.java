package dev.switchboard.jdbc;

import dev.switchboard.run.RunStore;
import dev.switchboard.testkit.RunStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresRunStoreTest extends RunStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected RunStore newStore(Clock clock) {
        return database.open(clock).runs();
    }
}

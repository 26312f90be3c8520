package dev.switchboard.jdbc;

import dev.switchboard.operation.OperationStore;
import dev.switchboard.testkit.OperationStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresOperationStoreTest extends OperationStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected OperationStore newStore(Clock clock) {
        return database.open(clock).operations();
    }
}

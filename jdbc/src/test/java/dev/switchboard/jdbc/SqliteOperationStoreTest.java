package dev.switchboard.jdbc;

import dev.switchboard.operation.OperationStore;
import dev.switchboard.testkit.OperationStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteOperationStoreTest extends OperationStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.sqlite();

    @Override
    protected OperationStore newStore(Clock clock) {
        return database.open(clock).operations();
    }
}

package dev.switchboard.jdbc;

import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.testkit.CheckpointStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteCheckpointStoreTest extends CheckpointStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.sqlite();

    @Override
    protected CheckpointStore newStore(Clock clock) {
        return database.open(clock).checkpoints();
    }
}

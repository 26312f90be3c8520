package dev.switchboard.jdbc;

import dev.switchboard.store.ItemStore;
import dev.switchboard.testkit.ItemStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresItemStoreTest extends ItemStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected ItemStore newStore(Clock clock) {
        return database.open(clock).items();
    }
}

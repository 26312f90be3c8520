package dev.switchboard.jdbc;

import dev.switchboard.store.ItemStore;
import dev.switchboard.testkit.ItemStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqliteItemStoreTest extends ItemStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.sqlite();

    @Override
    protected ItemStore newStore(Clock clock) {
        return database.open(clock).items();
    }
}

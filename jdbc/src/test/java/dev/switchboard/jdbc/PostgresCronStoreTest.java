package dev.switchboard.jdbc;

import dev.switchboard.cron.CronStore;
import dev.switchboard.testkit.CronStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresCronStoreTest extends CronStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected CronStore newStore(Clock clock) {
        return database.open(clock).crons();
    }
}

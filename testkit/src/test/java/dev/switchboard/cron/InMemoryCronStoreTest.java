package dev.switchboard.cron;

import dev.switchboard.testkit.CronStoreContract;
import java.time.Clock;

class InMemoryCronStoreTest extends CronStoreContract {
    private CronStore shared;

    @Override
    protected CronStore newStore(Clock clock) {
        if (shared == null) {
            shared = new InMemoryCronStore();
        }
        return shared;
    }
}

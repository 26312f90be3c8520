package dev.switchboard.run;

import dev.switchboard.testkit.RunStoreContract;

import java.time.Clock;

class InMemoryRunStoreTest extends RunStoreContract {

    @Override
    protected RunStore newStore(Clock clock) {
        return new InMemoryRunStore(clock);
    }
}

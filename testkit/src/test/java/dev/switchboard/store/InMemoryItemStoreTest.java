package dev.switchboard.store;

import dev.switchboard.testkit.ItemStoreContract;

import java.time.Clock;

class InMemoryItemStoreTest extends ItemStoreContract {

    @Override
    protected ItemStore newStore(Clock clock) {
        return new InMemoryItemStore(clock);
    }
}

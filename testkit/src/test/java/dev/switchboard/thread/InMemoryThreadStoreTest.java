package dev.switchboard.thread;

import dev.switchboard.testkit.ThreadStoreContract;

import java.time.Clock;

class InMemoryThreadStoreTest extends ThreadStoreContract {

    @Override
    protected ThreadStore newStore(Clock clock) {
        return new InMemoryThreadStore();
    }
}

package dev.switchboard.checkpoint;

import dev.switchboard.testkit.CheckpointStoreContract;

import java.time.Clock;

class InMemoryCheckpointStoreTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore newStore(Clock clock) {
        return new InMemoryCheckpointStore();
    }
}

package dev.switchboard.operation;

import dev.switchboard.testkit.OperationStoreContract;

import java.time.Clock;

class InMemoryOperationStoreTest extends OperationStoreContract {

    @Override
    protected OperationStore newStore(Clock clock) {
        return new InMemoryOperationStore();
    }
}

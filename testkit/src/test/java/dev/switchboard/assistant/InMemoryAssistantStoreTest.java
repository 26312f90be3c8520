package dev.switchboard.assistant;

import dev.switchboard.testkit.AssistantStoreContract;

import java.time.Clock;

class InMemoryAssistantStoreTest extends AssistantStoreContract {

    @Override
    protected AssistantStore newStore(Clock clock) {
        return new InMemoryAssistantStore();
    }
}

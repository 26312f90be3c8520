package dev.switchboard.jdbc;

import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.testkit.AssistantStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresAssistantStoreTest extends AssistantStoreContract {

    @RegisterExtension
    final TestDatabase database = TestDatabase.postgres();

    @Override
    protected AssistantStore newStore(Clock clock) {
        return database.open(clock).assistants();
    }
}

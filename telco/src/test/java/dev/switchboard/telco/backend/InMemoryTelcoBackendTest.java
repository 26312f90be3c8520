package dev.switchboard.telco.backend;

import java.time.Clock;

class InMemoryTelcoBackendTest extends TelcoBackendContract {
    @Override
    TelcoBackend create(Clock clock) {
        return new InMemoryTelcoBackend(clock);
    }
}

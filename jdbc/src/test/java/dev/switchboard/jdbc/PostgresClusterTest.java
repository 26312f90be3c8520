package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.run.CancelAction;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances on one embedded PostgreSQL exchange cancel and wake signals; each ignores its own. */
class PostgresClusterTest {
    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private record Received(String kind, UUID thread, UUID run, CancelAction action, UUID supersededBy) {
    }

    private static Cluster.Listener recorder(List<Received> into) {
        return new Cluster.Listener() {
            @Override
            public void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
                into.add(new Received("cancel", threadId, runId, action, supersededBy));
            }

            @Override
            public void wake(UUID threadId) {
                into.add(new Received("wake", threadId, null, null, null));
            }
        };
    }

    @Test
    void signals_fromOneInstance_reachTheOtherButNotItself() {
        List<Received> atA = new CopyOnWriteArrayList<>();
        List<Received> atB = new CopyOnWriteArrayList<>();
        try (Cluster a = db.open(Clock.systemUTC()).cluster("instance-a");
                Cluster b = db.open(Clock.systemUTC()).cluster("instance-b")) {
            a.listen(recorder(atA));
            b.listen(recorder(atB));
            UUID warmUp = UUID.randomUUID();
            UUID thread = UUID.randomUUID();
            UUID run = UUID.randomUUID();
            UUID newer = UUID.randomUUID();
            // LISTEN is asynchronous: keep waking until B has subscribed, then send the real signals.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                a.wake(warmUp);
                return !atB.isEmpty();
            });
            a.cancel(thread, run, CancelAction.ROLLBACK, newer);
            a.wake(thread);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> atB.stream().filter(r -> r.thread().equals(thread)).count() >= 2);
            assertThat(atB.stream().filter(r -> r.thread().equals(thread)).toList()).containsExactly(new Received("cancel", thread, run, CancelAction.ROLLBACK, newer),
                    new Received("wake", thread, null, null, null));
            assertThat(atA).as("an instance ignores its own signals").isEmpty();
        }
    }

    @Test
    void cluster_onSqlite_isLocal() {
        try (Database sqlite = TestDatabase.sqlite().open(Clock.systemUTC())) {
            assertThat(sqlite.cluster("x")).isSameAs(Cluster.LOCAL);
        }
    }
}

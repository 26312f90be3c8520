package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.jdbc.TestDatabase.Engine;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DESIGN.md §5: a run's checkpoint lands only on a history that still holds its parent. Found by R2 over HTTP at
 * full size (seed 50790377025742, docs/reliability.md): a rollback on one instance deleted a run's checkpoints
 * while a secondary exchange on another instance was writing on one of them, and the write landed on a deleted
 * parent (the thread's history then read a tool call with no result).
 */
class FencedCheckpointWritesTest {

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    private TestDatabase database(Engine engine) {
        return engine == Engine.SQLITE ? sqlite : postgres;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void fencedWrite_onAParentARollbackDeleted_writesNothing(Engine engine) {
        Database db = database(engine).open(Clock.systemUTC());
        UUID thread = Ids.newId();
        Run rolledBack = held(db, thread, Lane.MAIN, "node-a");
        Run secondary = held(db, thread, Lane.SECONDARY, "node-b");
        Checkpoint parent = checkpoint(thread, null, rolledBack);
        assertThat(db.checkpoints().putIfHeld(parent, "node-a")).isTrue();
        db.checkpoints().deleteRunAndLater(thread, rolledBack.runId());

        Checkpoint late = checkpoint(thread, parent.checkpointId(), secondary);
        boolean written = db.checkpoints().putIfHeld(late, "node-b");

        assertThat(written).as("a write on a parent that is gone").isFalse();
        assertThat(db.checkpoints().get(thread, late.checkpointId())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void fencedWrite_onAParentThatStillExists_isWritten(Engine engine) {
        Database db = database(engine).open(Clock.systemUTC());
        UUID thread = Ids.newId();
        Run run = held(db, thread, Lane.MAIN, "node-a");
        Checkpoint first = checkpoint(thread, null, run);
        Checkpoint second = checkpoint(thread, first.checkpointId(), run);

        assertThat(db.checkpoints().putIfHeld(first, "node-a")).isTrue();
        assertThat(db.checkpoints().putIfHeld(second, "node-a")).isTrue();
        assertThat(db.checkpoints().latest(thread)).get().extracting(Checkpoint::checkpointId)
                .isEqualTo(second.checkpointId());
    }

    /**
     * The interleaving R2 found, on two pools as on two instances: a secondary exchange reads the latest checkpoint
     * to write on it while a rollback deletes it. Holding the thread, the rollback waits for the write and then
     * deletes it with the rest; no checkpoint is left on a parent that is gone.
     */
    @org.junit.jupiter.api.Test
    void readModifyWrite_holdingTheThread_andARollbackOnAnotherInstance_leaveNoCheckpointOnADeletedParent()
            throws Exception {
        Database atA = postgres.open(Clock.systemUTC());
        Database atB = postgres.open(Clock.systemUTC());
        Database observer = postgres.open(Clock.systemUTC());
        UUID thread = Ids.newId();
        Run rolledBack = held(atA, thread, Lane.MAIN, "node-a");
        Run secondary = held(atB, thread, Lane.SECONDARY, "node-b");
        assertThat(atA.checkpoints().putIfHeld(checkpoint(thread, null, rolledBack), "node-a")).isTrue();
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean rollbackWaited = new java.util.concurrent.atomic.AtomicBoolean();

        var writer = java.lang.Thread.ofVirtual().start(() -> atB.checkpoints().holdingThread(thread, () -> {
            Checkpoint latest = atB.checkpoints().latest(thread).orElseThrow();
            read.countDown();
            // The rollback now runs; it must wait for this transaction (seen as a waiter on the thread's lock).
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> lockWaiters(observer) > 0);
                rollbackWaited.set(true);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                rollbackWaited.set(false);
            }
            return atB.checkpoints().putIfHeld(checkpoint(thread, latest.checkpointId(), secondary), "node-b");
        }));
        read.await();
        atA.checkpoints().holdingThread(thread, () -> atA.checkpoints().deleteRunAndLater(thread, rolledBack.runId()));
        writer.join();

        assertThat(rollbackWaited).as("the rollback waited for the write holding the thread").isTrue();
        List<Checkpoint> left = atA.checkpoints().list(thread, 100, null);
        java.util.Set<UUID> ids = new java.util.HashSet<>();
        left.forEach(c -> ids.add(c.checkpointId()));
        assertThat(left).allSatisfy(c -> assertThat(c.parentId() == null || ids.contains(c.parentId()))
                .as("parent of %s is in the history", c.checkpointId()).isTrue());
    }

    private static long lockWaiters(Database observer) {
        return observer.transactions().read(c -> {
            try (var st = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
                    var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    static Run held(Database db, UUID thread, Lane lane, String owner) {
        Instant now = Instant.now();
        db.runs().admit(new Run(Ids.newId(), thread, Ids.newId(), now, now, RunStatus.PENDING, null, null,
                MultitaskStrategy.ENQUEUE, lane), (c, a) -> c);
        return db.runs().claimNext(thread, lane, owner, now.plusSeconds(60)).orElseThrow();
    }

    static Checkpoint checkpoint(UUID thread, UUID parent, Run run) {
        ObjectNode values = Json.object();
        values.putArray("messages");
        return new Checkpoint(Ids.newId(), thread, parent, run.runId(), 0, Checkpoint.Source.LOOP, values, List.of(),
                Json.object(), Instant.now());
    }
}
